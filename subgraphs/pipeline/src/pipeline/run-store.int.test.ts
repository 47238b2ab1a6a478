import { runMigrations, type Database } from "@pokewatch/kit";
import {
  createIsolatedPostgres,
  settledWithin,
  terminateBackends,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pipelineMigrations } from "../pipeline-app.js";
import { PipelineBusyError, type RunComparison } from "./pipeline-types.js";
import { OWNER_STOPPED_ERROR, createRunOwnership, createRunStore, type RunStore } from "./run-store.js";

let pg: IsolatedPostgres;
/** One store per replica, each with its own connection pool. */
let replicas: RunStore[];
let store: RunStore;

const at = (iso: string) => new Date(`2026-06-01T${iso}Z`);
const count = async (db: Database, sql: string, params: unknown[] = []) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]!.n;

beforeAll(async () => {
  pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "pipeline", pipelineMigrations());
  replicas = [pg.db, pg.connectAnother(), pg.connectAnother(), pg.connectAnother()].map((db) => createRunStore(db));
  store = replicas[0]!;
});
afterAll(() => pg.drop());
beforeEach(async () => {
  await pg.db.exec("DELETE FROM pipeline_runs; DELETE FROM pipeline_step_outputs;");
});

describe("run store on PostgreSQL", () => {
  it("lets exactly one of several replicas' concurrent triggers create a run", async () => {
    const results = await Promise.allSettled(
      replicas.map((replica) => replica.create({ trigger: "MANUAL", now: at("10:00:00.000") })),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    expect(won).toHaveLength(1);
    const winner = won[0]!.value;
    expect(lost).toHaveLength(replicas.length - 1);
    for (const error of lost) {
      expect(error).toBeInstanceOf(PipelineBusyError);
      expect((error as PipelineBusyError).activeRunId).toBe(winner.id);
    }
    expect(await count(pg.db, "pipeline_runs")).toBe(1);
    expect(await count(pg.db, "pipeline_steps WHERE run_id = $1", [winner.id])).toBe(8);
  });

  it("creates one run for a scheduled occurrence that every replica tries", async () => {
    const occurrence = at("03:00:00.000");
    const results = await Promise.allSettled(
      replicas.map((replica) => replica.create({ trigger: "SCHEDULE", scheduledFor: occurrence, now: occurrence })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(PipelineBusyError);
    }
    expect(await count(pg.db, "pipeline_runs WHERE scheduled_for = $1", [occurrence])).toBe(1);

    // A replica arriving after the run is over still finds the occurrence taken.
    const { id } = (await store.active())!;
    await store.finish(id, { status: "SUCCEEDED", now: at("03:02:00.000") });
    const late = await replicas[3]!
      .create({ trigger: "SCHEDULE", scheduledFor: occurrence, now: at("03:05:00.000") })
      .then(
        () => expect.fail("resolved"),
        (error: unknown) => error as PipelineBusyError,
      );
    expect(late).toBeInstanceOf(PipelineBusyError);
    expect(late.activeRunId).toBeNull();
    expect(late.message).toBe("2026-06-01T03:00:00.000Z already has a run");
    expect(await count(pg.db, "pipeline_runs")).toBe(1);
  });

  it("fails a stale run once when replicas check together", async () => {
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.start(id, at("10:00:00.000"));
    await store.updateStep(id, "collect", { status: "RUNNING", startedAt: at("10:00:00.000") });
    await store.heartbeat(id, at("10:00:20.000"));
    const failed = await Promise.all(
      replicas.map((replica) => replica.failStale(at("10:01:20.500"), at("10:02:00.000"))),
    );
    expect(failed.flat()).toEqual([id]);
    expect(await store.findById(id)).toMatchObject({
      status: "FAILED",
      error: "the process running it stopped: no heartbeat since 2026-06-01T10:00:20.000Z",
      durationMs: 120_000,
    });
    expect((await store.steps(id)).map((step) => step.status)).toEqual([
      "FAILED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
      "SKIPPED",
    ]);
  });

  it("keeps a run's outcome, its comparison as JSON and step outputs as bytes", async () => {
    const comparison: RunComparison = {
      candidate: {
        mape: 0.1,
        rmse: 2,
        mae: 1,
        n: 40,
        intervalCoverage: 0.8,
        baselines: { lastPrice: { mape: 0.2, rmse: 3, mae: 2 }, rollingMean3: { mape: 0.18, rmse: 3, mae: 2 } },
      },
      production: null,
      productionModelId: null,
      better: true,
    };
    const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
    await store.start(id, at("10:00:00.250"));
    const key = "a".repeat(64);
    await store.updateStep(id, "train", { status: "SUCCEEDED", cacheKey: key, outputHash: "b".repeat(64) });
    await store.saveOutput("train", key, "b".repeat(64), Buffer.from([0, 255, 7]));
    await store.finish(id, {
      status: "SUCCEEDED",
      producedModelId: "mv_9",
      promoted: false,
      comparison,
      now: at("10:01:00.000"),
    });
    expect(await replicas[1]!.findById(id)).toMatchObject({ durationMs: 59_750, producedModelId: "mv_9", comparison });
    const cached = await replicas[2]!.findCachedOutput("train", key);
    expect(cached).toEqual({ outputHash: "b".repeat(64), body: Buffer.from([0, 255, 7]) });
  });

  it("pages through runs created in the same microsecond, ties broken by id", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const { id } = await store.create({ trigger: "MANUAL", now: at("10:00:00.000") });
      await store.finish(id, { status: index % 2 ? "FAILED" : "SUCCEEDED", error: "x", now: at("10:00:01.000") });
      ids.push(id);
    }
    // Sub-millisecond creation times, which a JS Date in the cursor would round away.
    await pg.db.query("UPDATE pipeline_runs SET created_at = created_at + interval '1 microsecond' WHERE id = $1", [
      ids[0],
    ]);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await store.list({ first: 2, after });
      seen.push(...page.runs.map((run) => run.id));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual([ids[0], ...ids.slice(1).sort().reverse()]);
  });
});

describe("run ownership on PostgreSQL", () => {
  it("does not fail a run whose runner holds its lock; fails it once that runner's connection is gone", async () => {
    const ownerDb = pg.connectAnother();
    const owner = createRunOwnership(ownerDb);
    const other = createRunOwnership(pg.db);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { run, done } = await owner.claim(
      () => createRunStore(ownerDb).create({ trigger: "MANUAL", now: at("10:00:00.000") }),
      async (created) => {
        await createRunStore(ownerDb).start(created.id, at("10:00:00.000"));
        await gate;
      },
    );
    try {
      const now = at("10:00:05.000");
      expect(await other.failOrphaned({ now, ownIds: new Set(), atStart: true })).toEqual([]);
      expect(await store.findById(run.id)).toMatchObject({ status: "RUNNING" });

      // The owner's process dies: the server ends its session, and the lock with it.
      const holders = await pg.db.query<{ pid: number }>(
        `SELECT pid FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objsubid = 1
           AND ((classid::int8 << 32) | objid::int8) = hashtextextended(current_schema() || ':pipeline_run:' || $1, 0)`,
        [run.id],
      );
      expect(holders).toHaveLength(1);
      await terminateBackends(
        pg.db,
        holders.map((holder) => holder.pid),
      );
      expect(await other.failOrphaned({ now, ownIds: new Set(), atStart: false })).toEqual([run.id]);
      expect(await store.findById(run.id)).toMatchObject({ status: "FAILED", error: OWNER_STOPPED_ERROR });
      expect((await store.steps(run.id)).map((s) => s.status)).toEqual(Array(8).fill("SKIPPED"));
    } finally {
      // Whatever failed above, the owner's work ends, so its session (and the pool) can close.
      release();
      await settledWithin(done, 10_000);
    }
  });
});
