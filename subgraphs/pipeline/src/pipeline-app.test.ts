import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  API_KEY_SCOPES,
  createPgliteDatabase,
  parseEnv,
  runMigrations,
  type Database,
  type FastifyInstance,
} from "@pokewatch/kit";
import { TEST_SECRET, signedQuery as signedQueryAs, silentLogger, testIdentity } from "@pokewatch/kit/testing";
import { createArtifactStore, createModelRegistry, modelMigrations, type NewModelVersion } from "@pokewatch/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineEnvSchema } from "./env.js";
import { createPipelineApp, pipelineMigrations } from "./pipeline-app.js";

let db: Database;
let app: FastifyInstance;
let dataDir: string;
const now = new Date("2026-11-28T05:30:00Z");

beforeAll(async () => {
  db = await createPgliteDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "pipeline-app-"));
  await runMigrations(db, "pipeline", pipelineMigrations());
  await runMigrations(db, "model", modelMigrations());
  app = await createPipelineApp({ secret: TEST_SECRET, logger: silentLogger(), db, clock: () => now, dataDir });
});
afterAll(async () => {
  await app.close();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const errors = (mape: number) => ({ mape, rmse: 2, mae: 1 });
const modelVersion: NewModelVersion = {
  artifact: new TextEncoder().encode("onnx graph"),
  features: ["lag_1", "rolling_mean_7"],
  trainingSummary: {
    cards: 10,
    rows: 300,
    from: "2026-10-01",
    to: "2026-11-27",
    sources: ["test"],
    trainingMs: 12,
    params: {},
  },
  metrics: {
    n: 90,
    mape: 0.041,
    rmse: 1.5,
    mae: 0.75,
    intervalCoverage: 0.82,
    baselines: { lastPrice: errors(0.0625), rollingMean3: errors(0.05) },
  },
  interval: { coverage: 0.8, lowLogRatio: -0.1, highLogRatio: 0.1 },
};

/** `signedQuery` from a key holding every scope; the scope check has its own test below. */
function signedQuery<TData = Record<string, unknown>>(
  target: FastifyInstance,
  query: string,
  options: Parameters<typeof signedQueryAs>[2] = {},
) {
  return signedQueryAs<TData>(target, query, { identity: testIdentity({ scopes: [...API_KEY_SCOPES] }), ...options });
}

const schedulesQuery = `{ schedules { name cron timezone nextRunAt lastRun { id status trigger durationMs } } }`;

describe("pipeline subgraph: schedules", () => {
  it("refuses schedules to a caller without pipeline:read", async () => {
    const identity = testIdentity({ scopes: ["prices:read"] });
    const { body } = await signedQueryAs(app, schedulesQuery, { identity });
    expect(body.errors?.[0]).toMatchObject({
      message: "Query.schedules needs the scope pipeline:read",
      extensions: { code: "FORBIDDEN" },
    });
  });

  it("runs daily at 03:00 UTC by default, next after the clock", async () => {
    const { body } = await signedQuery(app, schedulesQuery);
    expect(body.data).toEqual({
      schedules: [
        {
          name: "daily-training",
          cron: "0 3 * * *",
          timezone: "UTC",
          nextRunAt: "2026-11-29T03:00:00.000Z",
          lastRun: null,
        },
      ],
    });
  });

  it("shows the latest scheduled run, not a newer manual one", async () => {
    await db.query(
      `INSERT INTO pipeline_runs (id, status, trigger, created_at, started_at, finished_at) VALUES
       ('run_old', 'FAILED', 'SCHEDULE', '2026-11-26T03:00:00Z', '2026-11-26T03:00:00Z', '2026-11-26T03:00:05Z'),
       ('run_new', 'SUCCEEDED', 'SCHEDULE', '2026-11-27T03:00:00Z', '2026-11-27T03:00:01Z', '2026-11-27T03:02:01.5Z'),
       ('run_manual', 'RUNNING', 'MANUAL', '2026-11-28T04:00:00Z', '2026-11-28T04:00:00Z', NULL)`,
    );
    const { body } = await signedQuery<{ schedules: { lastRun: unknown }[] }>(app, schedulesQuery);
    expect(body.data?.schedules[0]?.lastRun).toEqual({
      id: "run_new",
      status: "SUCCEEDED",
      trigger: "SCHEDULE",
      durationMs: 120_500,
    });
  });

  it("uses PIPELINE_CRON and refuses an invalid one at start-up", () => {
    const base = { SUBGRAPH_SECRET: TEST_SECRET };
    expect(parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "30 4 * * 1" }).PIPELINE_CRON).toBe("30 4 * * 1");
    expect(() => parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "every day" })).toThrow(/PIPELINE_CRON/);
    expect(() => parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "0 25 * * *" })).toThrow(/PIPELINE_CRON/);
  });
});

describe("pipeline subgraph: entities", () => {
  it("resolves PipelineRun and ModelVersion references from the model registry, NOT_FOUND for unknown ids", async () => {
    // Written as the trainer writes it: through the registry, into the app's own artifact directory.
    const registry = createModelRegistry({ db, artifacts: createArtifactStore({ dataDir }) });
    const registered = await registry.register(modelVersion, { stage: "PRODUCTION" });
    const { body } = await signedQuery(
      app,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on PipelineRun { id status }
        ... on ModelVersion { id version stage createdAt artifactSha256
          metrics { mape rmse mae baselineMape intervalCoverage } } } }`,
      {
        variables: {
          r: [
            { __typename: "PipelineRun", id: "run_old" },
            { __typename: "ModelVersion", id: registered.id },
            { __typename: "ModelVersion", id: "mv_404" },
          ],
        },
      },
    );
    expect(body.data).toEqual({
      _entities: [
        { id: "run_old", status: "FAILED" },
        {
          id: registered.id,
          version: 1,
          stage: "PRODUCTION",
          createdAt: registered.createdAt.toISOString(),
          artifactSha256: registered.artifactSha256,
          // baselineMape is the better of the two baselines: the 3-day rolling mean here.
          metrics: { mape: 0.041, rmse: 1.5, mae: 0.75, baselineMape: 0.05, intervalCoverage: 0.82 },
        },
        null,
      ],
    });
    expect(body.errors?.[0]).toMatchObject({ path: ["_entities", 2], extensions: { code: "NOT_FOUND" } });
  });
});
