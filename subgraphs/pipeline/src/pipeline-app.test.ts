import { createHash } from "node:crypto";
import { parseEnv, type Database, type FastifyInstance } from "@pokewatch/kit";
import { capturingLogger, signedQuery, TEST_SECRET } from "@pokewatch/kit/testing";
import { createModelRegistry, type NewModelVersion } from "@pokewatch/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineEnvSchema } from "./env.js";
import { callers, openPipelineTestApp, testCatalog, type PipelineTestApp } from "./pipeline-app.fixture.js";
import { createPipelineApp } from "./pipeline-app.js";
import { createPipelineService } from "./pipeline/pipeline-service.js";

let fixture: PipelineTestApp;
let app: FastifyInstance;
let db: Database;
const now = new Date("2026-11-28T05:30:00Z");

beforeAll(async () => {
  fixture = await openPipelineTestApp({
    clock: () => now,
    // A run whose process stopped an hour before this app started.
    seed: (db) =>
      db.query(
        `INSERT INTO pipeline_runs (id, status, trigger, created_at, started_at, heartbeat_at)
         VALUES ('run_crashed', 'RUNNING', 'MANUAL', '2026-11-28T04:00:00Z', '2026-11-28T04:00:00Z', '2026-11-28T04:30:00Z')`,
      ),
  });
  ({ app, db } = fixture);
});
afterAll(() => fixture.close());

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
    trainingMs: 12.4,
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

const schedulesQuery = `{ schedules { name cron timezone nextRunAt lastRun { id status trigger durationMs } } }`;

describe("pipeline subgraph: start-up", () => {
  it("fails the runs a stopped process left active, before serving", async () => {
    const { body } = await fixture.query(`{ pipelineRun(id: "run_crashed") { status error steps { name } } }`);
    expect(body.data?.pipelineRun).toEqual({
      status: "FAILED",
      error: "the process running it stopped: no heartbeat since 2026-11-28T04:30:00.000Z",
      // Inserted by hand without steps: the run store writes all seven when it creates a run.
      steps: [],
    });
  });

  it("refuses a service together with the options that would build another", async () => {
    const { logger } = capturingLogger();
    const service = createPipelineService({ db, logger, dataDir: fixture.dataDir });
    await expect(
      createPipelineApp({ secret: TEST_SECRET, logger, db, service, catalog: testCatalog(), scheduler: false }),
    ).rejects.toThrow("give either service or catalog/pipelineOptions, not both");
  });

  it("starts the cron schedule unless told not to, and stops it on close", async () => {
    const { logger, lines } = capturingLogger();
    const scheduled = await createPipelineApp({ secret: TEST_SECRET, logger, db, cron: "0 4 * * *", clock: () => now });
    expect(lines().some((line) => line.includes('"cron":"0 4 * * *"') && line.includes("schedule started"))).toBe(true);
    await scheduled.close();
    const { logger: quiet, lines: quietLines } = capturingLogger();
    const unscheduled = await createPipelineApp({ secret: TEST_SECRET, logger: quiet, db, scheduler: false });
    expect(quietLines().some((line) => line.includes("schedule started"))).toBe(false);
    await unscheduled.close();
  });

  it("uses PIPELINE_CRON and refuses an invalid one at start-up", () => {
    const base = { SUBGRAPH_SECRET: TEST_SECRET };
    expect(parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "30 4 * * 1" }).PIPELINE_CRON).toBe("30 4 * * 1");
    expect(() => parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "every day" })).toThrow(/PIPELINE_CRON/);
    expect(() => parseEnv(pipelineEnvSchema, { ...base, PIPELINE_CRON: "0 25 * * *" })).toThrow(/PIPELINE_CRON/);
  });
});

describe("pipeline subgraph: schedules", () => {
  it("runs daily at 03:00 UTC by default, next after the clock", async () => {
    const { body } = await fixture.query(schedulesQuery);
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
    const { body } = await fixture.query<{ schedules: { lastRun: unknown }[] }>(schedulesQuery);
    expect(body.data?.schedules[0]?.lastRun).toEqual({
      id: "run_new",
      status: "SUCCEEDED",
      trigger: "SCHEDULE",
      durationMs: 120_500,
    });
  });
});

describe("pipeline subgraph: scopes", () => {
  const reads = [
    ["Query.pipelineRuns", "{ pipelineRuns { edges { cursor } } }"],
    ["Query.pipelineRun", '{ pipelineRun(id: "run_old") { id } }'],
    ["Query.modelVersions", "{ modelVersions { edges { cursor } } }"],
    ["Query.productionModel", "{ productionModel { id } }"],
    ["Query.pipelineHealth", "{ pipelineHealth { status } }"],
    ["Query.schedules", schedulesQuery],
  ];
  const writes = [
    ["Mutation.triggerPipelineRun", "mutation { triggerPipelineRun { id } }"],
    ["Mutation.promoteModel", 'mutation { promoteModel(id: "mv_1") { id } }'],
    ["Mutation.rollbackModel", "mutation { rollbackModel { id } }"],
  ];

  it.each(reads)("refuses %s to a caller without pipeline:read", async (field, query) => {
    const { body } = await signedQuery(app, query, { identity: callers.pricesOnly });
    expect(body.errors?.[0]).toMatchObject({
      message: `${field} needs the scope pipeline:read`,
      extensions: { code: "FORBIDDEN" },
    });
  });

  it.each(writes)("refuses %s to a caller without pipeline:write", async (field, query) => {
    const { body } = await signedQuery(app, query, { identity: callers.reader });
    expect(body.errors?.[0]).toMatchObject({
      message: `${field} needs the scope pipeline:write`,
      extensions: { code: "FORBIDDEN" },
    });
    // Refused before anything ran: no run was created.
    const { body: runs } = await fixture.query<{ pipelineRuns: { edges: unknown[] } }>(
      "{ pipelineRuns(status: QUEUED) { edges { cursor } } }",
    );
    expect(runs.data?.pipelineRuns.edges).toEqual([]);
  });
});

describe("pipeline subgraph: entities", () => {
  it("resolves PipelineRun and ModelVersion references from the model registry, NOT_FOUND for unknown ids", async () => {
    // Written as the trainer writes it: through the registry, into the app's own artifact directory.
    const registry = createModelRegistry({ db });
    const registered = await registry.register(modelVersion, { stage: "PRODUCTION" });
    // What pricing's FairPrice.model asks for: the version, its training date and its metrics.
    const { body } = await signedQuery(
      app,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on PipelineRun { id status }
        ... on ModelVersion { id version stage createdAt artifactSha256 features
          trainingSummary { cards rows from to sources trainingMs }
          metrics { mape rmse mae baselineMape intervalCoverage } } } }`,
      {
        identity: callers.pricesOnly,
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
          features: ["lag_1", "rolling_mean_7"],
          trainingSummary: {
            cards: 10,
            rows: 300,
            from: "2026-10-01",
            to: "2026-11-27",
            sources: ["test"],
            trainingMs: 12,
          },
          // baselineMape is the better of the two baselines: the 3-day rolling mean here.
          metrics: { mape: 0.041, rmse: 1.5, mae: 0.75, baselineMape: 0.05, intervalCoverage: 0.82 },
        },
        null,
      ],
    });
    expect(body.errors?.[0]).toMatchObject({ path: ["_entities", 2], extensions: { code: "NOT_FOUND" } });
  });
});

describe("a run's plots", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
  const plotQuery = `{ pipelineRun(id: "run_new") { artifacts { name url contentType sha256 content dataUrl } } }`;
  beforeAll(() =>
    fixture.service.store.saveArtifact({ runId: "run_new", name: "plot.svg", contentType: "image/svg+xml", body: svg }),
  );

  it("are served over GraphQL from the database: text, data URL and sha256", async () => {
    const { body } = await fixture.query(plotQuery, { identity: callers.reader });
    const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
    expect(body.errors).toBeUndefined();
    expect(body.data?.pipelineRun).toEqual({
      artifacts: [
        {
          name: "plot.svg",
          url: dataUrl,
          contentType: "image/svg+xml",
          sha256: createHash("sha256").update(svg).digest("hex"),
          content: svg,
          dataUrl,
        },
      ],
    });
  });

  it("are refused to a caller without pipeline:read", async () => {
    const { body } = await signedQuery(app, plotQuery, { identity: callers.pricesOnly });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(JSON.stringify(body)).not.toContain("<svg");
  });

  it("have no unsigned route on the pipeline service any more", async () => {
    const response = await app.inject({ method: "GET", url: "/runs/run_new/artifacts/plot.svg" });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain("<svg");
  });

  it("are never served once their stored body no longer matches its sha256", async () => {
    await fixture.service.store.saveArtifact({
      runId: "run_new",
      name: "rotten.svg",
      contentType: "image/svg+xml",
      body: svg,
    });
    await fixture.db.query("UPDATE pipeline_artifacts SET body = $1 WHERE run_id = 'run_new' AND name = 'rotten.svg'", [
      svg.replace("10", "99"),
    ]);
    const { body } = await fixture.query(`{ pipelineRun(id: "run_new") { artifacts { name content } } }`, {
      identity: callers.reader,
    });
    expect(body.errors?.[0]).toMatchObject({
      path: ["pipelineRun", "artifacts", 1, "content"],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(JSON.stringify(body)).not.toContain("99");
    await fixture.db.query("DELETE FROM pipeline_artifacts WHERE run_id = 'run_new' AND name = 'rotten.svg'");
  });

  it("keeps /graphql private: unsigned calls are still refused", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ query: "{ productionModel { id } }" }),
    });
    expect(response.statusCode).toBe(401);
  });
});
