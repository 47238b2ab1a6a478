import { createHash, randomBytes } from "node:crypto";
import { createPgliteDatabase, encodeCreatedAtCursor, runMigrations, type Database } from "@pokewatch/kit";
import type { GraphQLError } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pipelineMigrations } from "../pipeline-app.js";
import {
  PipelineBusyError,
  STEP_NAMES,
  type RunComparison,
  type RunStatus,
  type RunTrigger,
} from "./pipeline-types.js";
import { CorruptedRunArtifactError, createRunStore, type RunStore } from "./run-store.js";

let db: Database;
let store: RunStore;

const at = (iso: string) => new Date(`2026-06-01T${iso}Z`);
const metrics = (mape: number) => ({
  mape,
  rmse: 2,
  mae: 1,
  n: 40,
  intervalCoverage: 0.8,
  baselines: { lastPrice: { mape: 0.2, rmse: 3, mae: 2 }, rollingMean3: { mape: 0.18, rmse: 3, mae: 2 } },
});
const comparison: RunComparison = {
  candidate: metrics(0.1),
  production: metrics(0.12),
  productionModelId: "mv_1",
  better: true,
};
const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("resolved"),
    (error: unknown) => error as Error,
  );
/** A run created at `createdAt` and ended right away, so the next one may be created. */
async function endedRun(createdAt: Date, status: RunStatus = "SUCCEEDED", trigger: RunTrigger = "MANUAL") {
  const run = await store.create({ trigger, now: createdAt, scheduledFor: trigger === "SCHEDULE" ? createdAt : null });
  await store.start(run.id, createdAt);
  if (status === "SUCCEEDED" || status === "FAILED") {
    await store.finish(run.id, {
      status,
      error: status === "FAILED" ? "boom" : null,
      now: new Date(createdAt.getTime() + 1000),
    });
  } else {
    await db.query("UPDATE pipeline_runs SET status = $2 WHERE id = $1", [run.id, status]);
  }
  return run.id;
}

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "pipeline", pipelineMigrations());
  store = createRunStore(db);
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.exec(
    "DELETE FROM pipeline_runs; DELETE FROM pipeline_step_outputs; DELETE FROM pipeline_step_output_parts;",
  );
});

describe("run store: create", () => {
  it("inserts a QUEUED run with its eight steps PENDING, in order", async () => {
    const run = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    expect(run).toEqual({
      id: expect.stringMatching(/^run_[0-9A-Za-z]{20}$/),
      status: "QUEUED",
      trigger: "MANUAL",
      createdAt: at("10:00:00.000"),
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      error: null,
      scheduledFor: null,
      heartbeatAt: null,
      producedModelId: null,
      promoted: false,
      comparison: null,
    });
    expect(await store.findById(run.id)).toEqual(run);
    expect(await store.active()).toEqual(run);
    const steps = await store.steps(run.id);
    expect(steps.map((step) => [step.position, step.name, step.status])).toEqual(
      STEP_NAMES.map((name, position) => [position, name, "PENDING"]),
    );
    expect(steps[0]).toEqual({
      runId: run.id,
      position: 0,
      name: "collect",
      status: "PENDING",
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      message: null,
      cacheKey: null,
      outputHash: null,
    });
  });

  it("refuses a second run while one is active, naming the active one, and writes nothing", async () => {
    const first = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    const error = await failure(
      store.create({ trigger: "SCHEDULE", scheduledFor: at("10:00:00.000"), now: at("10:00:01.000") }),
    );
    expect(error).toBeInstanceOf(PipelineBusyError);
    expect((error as PipelineBusyError).activeRunId).toBe(first.id);
    expect(error.message).toContain(first.id);
    await store.start(first.id, at("10:00:02.000"));
    expect(
      ((await failure(store.create({ trigger: "MANUAL", now: at("10:00:03.000") }))) as PipelineBusyError).activeRunId,
    ).toBe(first.id);
    expect(await count("pipeline_runs")).toBe(1);
    expect(await count("pipeline_steps")).toBe(STEP_NAMES.length);
  });

  it("creates one run per scheduled occurrence", async () => {
    const occurrence = at("03:00:00.000");
    const id = await endedRun(occurrence, "SUCCEEDED", "SCHEDULE");
    const error = await failure(
      store.create({ trigger: "SCHEDULE", scheduledFor: occurrence, now: at("03:00:05.000") }),
    );
    expect(error).toBeInstanceOf(PipelineBusyError);
    expect((error as PipelineBusyError).activeRunId).toBeNull();
    expect(error.message).toBe("2026-06-01T03:00:00.000Z already has a run");
    // Manual runs and other occurrences are not occurrences of that one.
    await endedRun(at("03:00:06.000"));
    const next = await store.create({ trigger: "SCHEDULE", scheduledFor: at("04:00:00.000"), now: at("04:00:00.000") });
    expect(next.scheduledFor).toEqual(at("04:00:00.000"));
    expect((await store.findById(id))?.scheduledFor).toEqual(occurrence);
  });

  it("runs inside a caller's transaction when given a plain Queryable", async () => {
    const id = await db.transaction(
      async (tx) => (await createRunStore(tx).create({ trigger: "MANUAL", now: at("10:00:00.000") })).id,
    );
    expect((await store.steps(id)).length).toBe(STEP_NAMES.length);
  });
});

describe("run store: a run's life", () => {
  it("starts, beats, and finishes with its outcome and durations", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.start(id, at("10:00:01.000"));
    expect(await store.findById(id)).toMatchObject({
      status: "RUNNING",
      startedAt: at("10:00:01.000"),
      heartbeatAt: at("10:00:01.000"),
      durationMs: null,
    });
    await store.heartbeat(id, at("10:00:11.000"));
    expect((await store.findById(id))?.heartbeatAt).toEqual(at("10:00:11.000"));
    await store.finish(id, {
      status: "SUCCEEDED",
      producedModelId: "mv_2",
      promoted: true,
      comparison,
      now: at("10:02:01.500"),
    });
    expect(await store.findById(id)).toMatchObject({
      status: "SUCCEEDED",
      finishedAt: at("10:02:01.500"),
      durationMs: 120_500,
      error: null,
      producedModelId: "mv_2",
      promoted: true,
      comparison,
    });
    expect(await store.active()).toBeNull();
  });

  it("records a failure and its error", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.finish(id, { status: "FAILED", error: "validate: 9 % of prices invalid", now: at("10:00:05.000") });
    expect(await store.findById(id)).toMatchObject({
      status: "FAILED",
      error: "validate: 9 % of prices invalid",
      startedAt: null,
      durationMs: null,
      promoted: false,
      comparison: null,
    });
  });

  it("refuses to finish an unknown or ended run, and to start one twice", async () => {
    const now = at("10:00:00.000");
    expect((await failure(store.finish("run_nope", { status: "SUCCEEDED", now }))).message).toBe(
      "cannot finish run_nope: no such run",
    );
    const { id } = await store.create({ trigger: "MANUAL", now });
    await store.start(id, now);
    expect((await failure(store.start(id, now))).message).toBe(`cannot start ${id}: no QUEUED run has that id`);
    await store.finish(id, { status: "FAILED", error: "x", now });
    expect((await failure(store.finish(id, { status: "SUCCEEDED", now }))).message).toBe(
      `cannot finish ${id}: it is already FAILED`,
    );
    await store.heartbeat(id, at("11:00:00.000"));
    expect(await store.findById(id)).toMatchObject({ status: "FAILED", heartbeatAt: now });
  });

  it("updates only the step fields given, and clears those given null", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.updateStep(id, "train", { status: "RUNNING", startedAt: at("10:00:01.000"), cacheKey: "k".repeat(64) });
    await store.updateStep(id, "train", {
      status: "SUCCEEDED",
      finishedAt: at("10:00:03.250"),
      message: "trained",
      outputHash: "h",
    });
    await store.updateStep(id, "train", { cacheKey: null });
    await store.updateStep(id, "train", {});
    const train = (await store.steps(id))[4];
    expect(train).toEqual({
      runId: id,
      position: 4,
      name: "train",
      status: "SUCCEEDED",
      startedAt: at("10:00:01.000"),
      finishedAt: at("10:00:03.250"),
      durationMs: 2250,
      message: "trained",
      cacheKey: null,
      outputHash: "h",
    });
    await expect(store.updateStep("run_nope", "train", { status: "RUNNING" })).rejects.toThrow("no such run or step");
  });

  it("gives the steps of many runs in one go, an entry for every id", async () => {
    const a = await endedRun(at("10:00:00.000"));
    const b = await endedRun(at("11:00:00.000"));
    const steps = await store.stepsOfRuns([b, "run_unknown", a]);
    expect([...steps.keys()]).toEqual([b, "run_unknown", a]);
    expect(steps.get(a)!.map((step) => step.name)).toEqual([...STEP_NAMES]);
    expect(steps.get(b)!.every((step) => step.runId === b)).toBe(true);
    expect(steps.get("run_unknown")).toEqual([]);
    expect(await store.stepsOfRuns([])).toEqual(new Map());
  });
});

describe("run store: stale runs", () => {
  it("fails runs without a recent heartbeat: RUNNING step FAILED, PENDING ones SKIPPED", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.start(id, at("10:00:00.000"));
    await store.updateStep(id, "collect", {
      status: "SUCCEEDED",
      startedAt: at("10:00:00.000"),
      finishedAt: at("10:00:01.000"),
    });
    await store.updateStep(id, "ingest", { status: "RUNNING", startedAt: at("10:00:01.000") });
    await store.heartbeat(id, at("10:00:10.123"));

    expect(await store.failStale(at("10:00:10.123"), at("10:05:00.000"))).toEqual([]);
    expect(await store.failStale(at("10:01:10.000"), at("10:05:00.000"))).toEqual([id]);
    expect(await store.findById(id)).toMatchObject({
      status: "FAILED",
      finishedAt: at("10:05:00.000"),
      error: "the process running it stopped: no heartbeat since 2026-06-01T10:00:10.123Z",
    });
    const steps = await store.steps(id);
    expect(steps.map((step) => step.status)).toEqual([
      "SUCCEEDED",
      "FAILED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
    ]);
    expect(steps[0]!.finishedAt).toEqual(at("10:00:01.000"));
    expect(steps[1]).toMatchObject({
      message: "interrupted: the process running it stopped",
      finishedAt: at("10:05:00.000"),
      durationMs: 299_000,
    });
    expect(steps[2]!.finishedAt).toBeNull();
    expect(await store.failStale(at("11:00:00.000"), at("11:00:00.000"))).toEqual([]);
    expect((await store.create({ trigger: "MANUAL", now: at("11:00:00.000") })).status).toBe("QUEUED");
  });

  it("judges a QUEUED run that never beat by its creation time", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    expect(await store.failStale(at("10:00:00.000"), at("10:02:00.000"))).toEqual([]);
    expect(await store.failStale(at("10:01:00.000"), at("10:02:00.000"))).toEqual([id]);
    expect((await store.findById(id))?.error).toBe(
      "the process running it stopped: no heartbeat since 2026-06-01T10:00:00.000Z",
    );
    expect((await store.steps(id)).every((step) => step.status === "SKIPPED")).toBe(true);
  });
});

describe("run store: listing", () => {
  it("lists newest first, filtered, through opaque cursors", async () => {
    const ids: string[] = [];
    const kinds: [RunStatus, RunTrigger][] = [
      ["SUCCEEDED", "SCHEDULE"],
      ["FAILED", "MANUAL"],
      ["SUCCEEDED", "MANUAL"],
      ["CANCELLED", "SCHEDULE"],
      ["FAILED", "SCHEDULE"],
      ["SUCCEEDED", "SCHEDULE"],
      ["FAILED", "MANUAL"],
    ];
    for (const [index, [status, trigger]] of kinds.entries())
      ids.push(await endedRun(at(`1${index}:00:00.000`), status, trigger));
    const newestFirst = [...ids].reverse();

    const all = await store.list({});
    expect(all.runs.map((run) => run.id)).toEqual(newestFirst);
    expect(all).toMatchObject({ hasNextPage: false, endCursor: all.cursors.at(-1) });
    expect(all.cursors).toHaveLength(7);

    const seen: string[] = [];
    let page = await store.list({ trigger: "SCHEDULE", first: 2 });
    seen.push(...page.runs.map((run) => run.id));
    while (page.hasNextPage) {
      page = await store.list({ trigger: "SCHEDULE", first: 2, after: page.endCursor });
      seen.push(...page.runs.map((run) => run.id));
    }
    expect(seen).toEqual([ids[5], ids[4], ids[3], ids[0]]);

    const failed = await store.list({ status: "FAILED", trigger: "MANUAL", first: 1 });
    expect(failed.runs.map((run) => run.id)).toEqual([ids[6]]);
    expect(failed.hasNextPage).toBe(true);
    const rest = await store.list({ status: "FAILED", trigger: "MANUAL", after: failed.cursors[0] });
    expect(rest.runs.map((run) => run.id)).toEqual([ids[1]]);
    expect(rest.hasNextPage).toBe(false);

    const empty = await store.list({ status: "RUNNING" });
    expect(empty).toEqual({ runs: [], cursors: [], hasNextPage: false, endCursor: null });
  });

  it("breaks ties of creation time by id", async () => {
    const same = at("10:00:00.000");
    const ids = [await endedRun(same), await endedRun(same), await endedRun(same)].sort().reverse();
    const first = await store.list({ first: 2 });
    const second = await store.list({ first: 2, after: first.endCursor });
    expect([...first.runs, ...second.runs].map((run) => run.id)).toEqual(ids);
  });

  it.each([0, 101, 1.5, -1, Number.NaN])("rejects first = %s as BAD_USER_INPUT", async (first) => {
    const error = (await failure(store.list({ first }))) as GraphQLError;
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "first" });
    expect(error.message).toBe(`first must be from 1 to 100; got ${first}`);
  });

  it.each([
    "nonsense",
    "",
    Buffer.from("[1, 2]").toString("base64url"),
    Buffer.from('["2026-06-01T10:00:00Z", "run_a"]').toString("base64url"),
    encodeCreatedAtCursor({ createdAt: "2026-13-45T10:00:00.000000Z", id: "run_a" }),
  ])("rejects the malformed cursor %j as BAD_USER_INPUT", async (after) => {
    const error = (await failure(store.list({ after }))) as GraphQLError;
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "after" });
  });

  it("rejects an unknown status or trigger as BAD_USER_INPUT", async () => {
    const status = (await failure(store.list({ status: "DONE" as RunStatus }))) as GraphQLError;
    expect(status.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "status" });
    const trigger = (await failure(store.list({ trigger: "CRON" as RunTrigger }))) as GraphQLError;
    expect(trigger.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "trigger" });
  });

  it("gives the latest runs that are over, newest finished first, and the latest by trigger", async () => {
    const a = await endedRun(at("10:00:00.000"), "FAILED", "SCHEDULE");
    await endedRun(at("11:00:00.000"), "CANCELLED");
    const c = await endedRun(at("12:00:00.000"), "SUCCEEDED");
    const d = await endedRun(at("13:00:00.000"), "FAILED");
    const active = await store.create({ trigger: "MANUAL", now: at("14:00:00.000") });
    expect((await store.recentFinished(10)).map((run) => run.id)).toEqual([d, c, a]);
    expect((await store.recentFinished(2)).map((run) => run.id)).toEqual([d, c]);
    expect((await store.latestByTrigger("SCHEDULE"))?.id).toBe(a);
    expect((await store.latestByTrigger("MANUAL"))?.id).toBe(active.id);
    await expect(store.recentFinished(0)).rejects.toThrow("limit must be a whole number from 1 to 100; got 0");
  });
});

describe("run store: step outputs and artifacts", () => {
  const key = "c".repeat(64);

  it("finds a stored output only behind a SUCCEEDED or CACHED step of that name and key", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.saveOutput("features", key, "hash-1", Buffer.from("first"));
    expect(await store.findCachedOutput("features", key)).toBeNull();
    await store.updateStep(id, "features", { status: "RUNNING", cacheKey: key });
    expect(await store.findCachedOutput("features", key)).toBeNull();
    await store.updateStep(id, "features", { status: "SUCCEEDED", outputHash: "hash-1" });
    expect(await store.findCachedOutput("features", key)).toEqual({ outputHash: "hash-1", body: Buffer.from("first") });
    expect(await store.findCachedOutput("train", key)).toBeNull();
    expect(await store.findCachedOutput("features", "d".repeat(64))).toBeNull();

    await store.saveOutput("features", key, "hash-2", Buffer.from([0, 1, 2, 255]));
    const found = await store.findCachedOutput("features", key);
    expect(found?.outputHash).toBe("hash-2");
    expect(Buffer.isBuffer(found?.body)).toBe(true);
    expect([...found!.body]).toEqual([0, 1, 2, 255]);
    expect(await count("pipeline_step_outputs")).toBe(1);

    await store.updateStep(id, "features", { status: "CACHED" });
    expect(await store.findCachedOutput("features", key)).not.toBeNull();
  });

  it("stores a large output in parts, and reads back the same bytes; a smaller one replaces it whole", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.updateStep(id, "features", { status: "SUCCEEDED", cacheKey: key, outputHash: "big" });
    // Random bytes do not compress: well over one 192 KiB part.
    const big = randomBytes(1024 * 1024);
    await store.saveOutput("features", key, "big", big);
    expect(await count("pipeline_step_output_parts")).toBeGreaterThan(4);
    expect(Buffer.compare((await store.findCachedOutput("features", key))!.body, big)).toBe(0);

    await store.saveOutput("features", key, "small", Buffer.from("small"));
    expect(await store.findCachedOutput("features", key)).toEqual({ outputHash: "small", body: Buffer.from("small") });
  });

  it("keeps outputs when their run is deleted, so the cache outlives runs", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.updateStep(id, "ingest", { status: "SUCCEEDED", cacheKey: key });
    await store.saveOutput("ingest", key, "h", Buffer.from("x"));
    await store.saveArtifact({ runId: id, name: "plot.svg", contentType: "image/svg+xml", body: "<svg/>" });
    await db.query("DELETE FROM pipeline_runs WHERE id = $1", [id]);
    expect(await count("pipeline_steps")).toBe(0);
    expect(await count("pipeline_artifacts")).toBe(0);
    expect(await count("pipeline_step_outputs")).toBe(1);
  });

  it("saves, replaces and lists a run's artifacts", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.saveArtifact({
      runId: id,
      name: "predicted-vs-actual.svg",
      contentType: "image/svg+xml",
      body: "<svg>1</svg>",
    });
    await store.saveArtifact({
      runId: id,
      name: "error-distribution.svg",
      contentType: "image/svg+xml",
      body: "<svg>2</svg>",
    });
    await store.saveArtifact({
      runId: id,
      name: "predicted-vs-actual.svg",
      contentType: "image/svg+xml",
      body: "<svg>3</svg>",
    });
    expect(await store.artifactNames(id)).toEqual(["error-distribution.svg", "predicted-vs-actual.svg"]);
    expect(await store.artifact(id, "predicted-vs-actual.svg")).toEqual({
      runId: id,
      name: "predicted-vs-actual.svg",
      contentType: "image/svg+xml",
      body: "<svg>3</svg>",
      sha256: createHash("sha256").update("<svg>3</svg>").digest("hex"),
    });
    expect(await store.artifact(id, "nope.svg")).toBeNull();
    expect(await store.artifactNames("run_unknown")).toEqual([]);
  });

  it("refuses to hand out an artifact whose stored body no longer hashes to its sha256", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.saveArtifact({ runId: id, name: "plot.svg", contentType: "image/svg+xml", body: "<svg>1</svg>" });
    await db.query("UPDATE pipeline_artifacts SET body = '<svg>2</svg>' WHERE run_id = $1", [id]);
    await expect(store.artifact(id, "plot.svg")).rejects.toBeInstanceOf(CorruptedRunArtifactError);
  });
});

describe("run store: misuse and constraints", () => {
  it.each([
    [{ trigger: "SCHEDULE" as const, now: at("10:00:00.000") }, /scheduledFor .* must be a valid Date; got null/],
    [
      { trigger: "MANUAL" as const, scheduledFor: at("10:00:00.000"), now: at("10:00:00.000") },
      /scheduledFor is for SCHEDULE runs only/,
    ],
    [{ trigger: "MANUAL" as const, now: new Date(Number.NaN) }, /now must be a valid Date; got Invalid Date/],
    [{ trigger: "CRON" as RunTrigger, now: at("10:00:00.000") }, /trigger must be SCHEDULE or MANUAL; got CRON/],
  ])("refuses to create %j, writing nothing", async (input, message) => {
    await expect(store.create(input)).rejects.toThrow(message);
    expect(await count("pipeline_runs")).toBe(0);
    expect(await count("pipeline_steps")).toBe(0);
  });

  it("refuses other misuse with a message naming the bad value", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await expect(store.finish(id, { status: "RUNNING" as "FAILED", now: at("10:00:00.000") })).rejects.toThrow(
      "a run finishes SUCCEEDED or FAILED; got RUNNING",
    );
    await expect(
      store.saveArtifact({ runId: id, name: "../x.svg", contentType: "image/svg+xml", body: "" }),
    ).rejects.toThrow(/got \.\.\/x\.svg/);
    await expect(store.failStale(new Date("nope"), at("10:00:00.000"))).rejects.toThrow(
      "staleBefore must be a valid Date",
    );
    expect(await store.findById(id)).toMatchObject({ status: "QUEUED" });
    expect(await store.artifactNames(id)).toEqual([]);
  });

  it("enforces one active run, step names, statuses and positions in the schema itself", async () => {
    const insertRun = (id: string, status: string) =>
      db.query("INSERT INTO pipeline_runs (id, status, trigger) VALUES ($1, $2, 'MANUAL')", [id, status]);
    await insertRun("run_a", "RUNNING");
    await expect(insertRun("run_b", "QUEUED")).rejects.toMatchObject({
      code: "23505",
      constraint: "pipeline_runs_one_active",
    });
    await insertRun("run_c", "FAILED");
    const insertStep = (position: number, name: string, status = "PENDING") =>
      db.query("INSERT INTO pipeline_steps (run_id, position, name, status) VALUES ('run_c', $1, $2, $3)", [
        position,
        name,
        status,
      ]);
    await expect(insertStep(0, "deploy")).rejects.toMatchObject({ code: "23514" });
    await expect(insertStep(0, "train")).rejects.toMatchObject({ code: "23514" });
    await expect(insertStep(0, "ingest")).rejects.toMatchObject({ code: "23514" });
    await expect(insertStep(0, "collect", "DONE")).rejects.toMatchObject({ code: "23514" });
    await insertStep(0, "collect");
    await expect(
      db.query(
        "INSERT INTO pipeline_runs (id, status, trigger, scheduled_for) VALUES ('run_d', 'FAILED', 'MANUAL', now())",
      ),
    ).rejects.toMatchObject({ code: "23514" });
  });
});

describe("pipeline migration 004", () => {
  it("gives the plots stored before it their sha256, so they are served as before", async () => {
    const old = await createPgliteDatabase();
    try {
      await runMigrations(old, "pipeline", pipelineMigrations().slice(0, 3));
      await old.exec(`INSERT INTO pipeline_runs (id, status, trigger) VALUES ('run_old', 'SUCCEEDED', 'MANUAL');
        INSERT INTO pipeline_artifacts (run_id, name, content_type, body) VALUES ('run_old', 'plot.svg', 'image/svg+xml', '<svg>é</svg>')`);
      expect(await runMigrations(old, "pipeline", pipelineMigrations().slice(0, 4))).toEqual([4]);
      expect(await createRunStore(old).artifact("run_old", "plot.svg")).toMatchObject({
        body: "<svg>é</svg>",
        sha256: createHash("sha256").update("<svg>é</svg>", "utf8").digest("hex"),
      });
    } finally {
      await old.close();
    }
  });
});

describe("pipeline migration 005", () => {
  it("puts collect first: earlier runs keep their steps one place down, with a collect step SKIPPED", async () => {
    const old = await createPgliteDatabase();
    try {
      await runMigrations(old, "pipeline", pipelineMigrations().slice(0, 4));
      const oldSteps = ["ingest", "validate", "features", "train", "evaluate", "register", "promote"];
      await old.exec(`INSERT INTO pipeline_runs (id, status, trigger) VALUES ('run_old', 'SUCCEEDED', 'MANUAL')`);
      for (const [position, name] of oldSteps.entries()) {
        await old.query(
          "INSERT INTO pipeline_steps (run_id, position, name, status, message) VALUES ('run_old', $1, $2, 'SUCCEEDED', $2)",
          [position, name],
        );
      }
      expect(await runMigrations(old, "pipeline", pipelineMigrations())).toEqual([5]);
      const steps = await createRunStore(old).steps("run_old");
      expect(steps.map(({ position, name, status, message }) => [position, name, status, message])).toEqual([
        [0, "collect", "SKIPPED", "this run predates the collect step"],
        ...oldSteps.map((name, i) => [i + 1, name, "SUCCEEDED", name]),
      ]);
      const created = await createRunStore(old).create({ trigger: "MANUAL", now: new Date() });
      expect((await createRunStore(old).steps(created.id)).map((step) => step.name)).toEqual([...STEP_NAMES]);
    } finally {
      await old.close();
    }
  });
});
