import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedis, createLogger, createRedis } from "@pokewatch/kit";
import {
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  SCRIPT_CONCURRENCY,
  createIsolatedPostgres,
  inParallel,
  runWorkspaceScript,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { PRODUCTION_MODEL_CHANNEL } from "@pokewatch/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STEP_NAMES } from "../src/pipeline/pipeline-types.js";
import { createRunOwnership, createRunStore } from "../src/pipeline/run-store.js";

/** Runs `pnpm run pipeline …` as typed in `dir`, with `env` added. */
const pipeline = (args: string[], env: Record<string, string>, dir: string) =>
  runWorkspaceScript("subgraphs/pipeline/scripts/pipeline-cli.ts", args, { typedIn: dir, env, timeoutMs: 180_000 });

/** A run small enough for a test: the first 20 catalog cards, 5 trees. */
const SMALL = ["run", "--cards", "20", "--trees", "5"];

interface Summary {
  runId: string;
  status: string;
  error: string | null;
  producedModel: string | null;
  promoted: boolean;
  comparison: { candidateMape: number; productionMape: number | null; better: boolean } | null;
  durationMs: number;
  steps: { name: string; status: string; durationMs: number | null; message: string }[];
}

const statuses = (summary: Summary) => Object.fromEntries(summary.steps.map((step) => [step.name, step.status]));

describe("pnpm run pipeline on the embedded database", { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pipeline-cli-"));
    env = { DATA_DIR: join(dir, "data") };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("simulates an empty store, trains, registers and promotes a first model", async () => {
    const { code, stdout, stderr } = await pipeline(SMALL, env, dir);
    expect(code, stderr).toBe(0);
    for (const name of STEP_NAMES) {
      expect(stderr).toContain(`▶ ${name}…`);
      expect(stderr).toMatch(new RegExp(`^✓ ${name} \\d+\\.\\d s — \\S`, "m"));
    }
    expect(stderr).toContain("  collect: simulating 20 cards × 120 days (seed 1)");
    expect(stderr).toMatch(/^ {2}train: fit: 5\/5 trees$/m);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary).toMatchObject({ status: "SUCCEEDED", error: null, promoted: true });
    expect(summary.runId).toMatch(/^run_/);
    expect(summary.producedModel).toMatch(/^mv_/);
    expect(summary.comparison).toMatchObject({ productionMape: null, better: true });
    expect(summary.comparison!.candidateMape).toBeGreaterThan(0);
    expect(summary.steps.map((step) => step.name)).toEqual([...STEP_NAMES]);
    expect(stderr).toContain(`✓ promote`);
    expect(stderr).toContain(`promoted ${summary.producedModel} to production`);
  });

  it("keeps production on the same data, then reuses every cached step", async () => {
    const first = await pipeline(["status"], env, dir);
    const production = (JSON.parse(first.stdout) as { productionModel: { id: string } }).productionModel.id;

    // The first run's collect simulated into an empty store (never a cache hit); this one reads
    // what it stored, so it is the next run that finds every step's inputs unchanged.
    const again = await pipeline(SMALL, env, dir);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as Summary;
    expect(second).toMatchObject({ status: "SUCCEEDED", promoted: false, producedModel: production });
    expect(statuses(second)).toMatchObject({ register: "SUCCEEDED", promote: "SKIPPED" });
    expect(again.stderr).toMatch(/^– promote skipped — \S+ already is the production model/m);

    const cached = await pipeline(SMALL, env, dir);
    expect(cached.code, cached.stderr).toBe(0);
    const third = JSON.parse(cached.stdout) as Summary;
    expect(statuses(third)).toEqual({
      collect: "CACHED",
      ingest: "CACHED",
      validate: "CACHED",
      features: "CACHED",
      train: "CACHED",
      evaluate: "CACHED",
      register: "SUCCEEDED",
      promote: "SKIPPED",
    });
    for (const name of ["collect", "ingest", "validate", "features", "train", "evaluate"]) {
      expect(cached.stderr).toMatch(new RegExp(`^↷ ${name} cached — `, "m"));
    }
    expect(cached.stderr).not.toContain("train: fit:");

    const { code, stdout } = await pipeline(["status", "--first", "2"], env, dir);
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as { health: { status: string }; activeRun: null; runs: Summary[] };
    expect(status.health.status).toBe("HEALTHY");
    expect(status.activeRun).toBeNull();
    expect(status.runs.map((run) => run.runId)).toEqual([third.runId, second.runId]);
  });

  it("fails on an empty store without simulation: exit 1, ingest's reason, later steps skipped", async () => {
    const empty = { DATA_DIR: join(dir, "empty") };
    const { code, stdout, stderr } = await pipeline(["run", "--no-simulate"], empty, dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^✗ ingest failed — no prices stored: collect found none/m);
    expect(stderr).toMatch(/^– validate skipped — skipped: ingest failed$/m);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary).toMatchObject({ status: "FAILED", promoted: false, producedModel: null });
    expect(summary.error).toMatch(/^ingest: no prices stored/);
    expect(statuses(summary)).toMatchObject({ ingest: "FAILED", promote: "SKIPPED" });
  });

  it("exits 1 with the usage for bad arguments, opening no database", async () => {
    const never = { DATA_DIR: join(dir, "never-created") };
    const cases: Array<[string[], string]> = [
      [[], "a command is required"],
      [["train"], 'unknown command "train"'],
      [["run", "--trees", "0"], '--trees must be a whole number from 1 to 10000; got "0"'],
      [["run", "--cards", "many"], "--cards must be a whole number"],
      [["run", "--cards", "999999"], "--cards must be a whole number from 1 to"],
      [["run", "--first", "2"], "pipeline run does not take --first"],
      [["status", "--trees", "2"], "pipeline status does not take --trees"],
      [["run", "now"], 'pipeline run takes no positional arguments; got "now"'],
      [["run", "--force"], "--force"],
    ];
    // Side by side: none of them opens a database (checked below).
    const results = await inParallel(cases, SCRIPT_CONCURRENCY, ([args]) => pipeline(args, never, dir));
    for (const [index, [args, message]] of cases.entries()) {
      const result = results[index]!;
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr, args.join(" ")).toContain(`pipeline: `);
      expect(result.stderr, args.join(" ")).toContain(message);
      expect(result.stderr).toContain("usage:");
      expect(result.stdout).toBe("");
    }
    expect(existsSync(never.DATA_DIR)).toBe(false);
  });
});

describe("pnpm run pipeline on PostgreSQL and Redis", { timeout: 180_000 }, () => {
  let postgres: IsolatedPostgres;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    postgres = await createIsolatedPostgres();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${postgres.schema}`);
    dir = mkdtempSync(join(tmpdir(), "pipeline-cli-pg-"));
    env = { DATABASE_URL: url.toString(), REDIS_URL: TEST_REDIS_URL, DATA_DIR: join(dir, "data") };
  });
  afterAll(async () => {
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs in DATABASE_URL and announces the promotion on Redis", async () => {
    const subscriber = createRedis({ url: TEST_REDIS_URL, logger: createLogger({ name: "test", level: "silent" }) });
    try {
      expect(await connectRedis(subscriber)).toBe(true);
      await subscriber.subscribe(PRODUCTION_MODEL_CHANNEL);
      const announced: string[] = [];
      subscriber.on("message", (_channel: string, id: string) => announced.push(id));

      const { code, stdout, stderr } = await pipeline(SMALL, env, dir);
      expect(code, stderr).toBe(0);
      const summary = JSON.parse(stdout) as Summary;
      expect(summary).toMatchObject({ status: "SUCCEEDED", promoted: true });
      // Other test files may announce their own models on the same channel meanwhile.
      await expect.poll(() => announced).toContain(summary.producedModel);

      const [run] = await postgres.db.query<{ id: string; status: string; promoted: boolean }>(
        "SELECT id, status, promoted FROM pipeline_runs",
      );
      expect(run).toEqual({ id: summary.runId, status: "SUCCEEDED", promoted: true });
      const [model] = await postgres.db.query<{ id: string; stage: string }>("SELECT id, stage FROM model_versions");
      expect(model).toEqual({ id: summary.producedModel, stage: "PRODUCTION" });
    } finally {
      subscriber.disconnect();
    }
  });

  it("refuses to start while another run is active, naming it", async () => {
    // A run another process owns (and holds its lock) while the CLI starts.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store = createRunStore(postgres.db);
    const { run: active, done } = await createRunOwnership(postgres.db).claim(
      () => store.create({ trigger: "MANUAL", now: new Date() }),
      () => held,
    );
    const { code, stdout, stderr } = await pipeline(SMALL, env, dir).finally(release);
    await done;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`pipeline: a pipeline run is already active (${active.id})`);
    expect(stderr).not.toMatch(/\bat \S+\.ts:\d+/); // no stack
  });
});
