import { createPgliteDatabase, parseEnv, runMigrations, type Database, type FastifyInstance } from "@pokewatch/kit";
import { TEST_SECRET, signedQuery, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineEnvSchema } from "./env.js";
import { createPipelineApp, pipelineMigrations } from "./pipeline-app.js";

let db: Database;
let app: FastifyInstance;
const now = new Date("2026-11-28T05:30:00Z");

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "pipeline", pipelineMigrations());
  app = await createPipelineApp({ secret: TEST_SECRET, logger: silentLogger(), db, clock: () => now });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const schedulesQuery = `{ schedules { name cron timezone nextRunAt lastRun { id status trigger durationMs } } }`;

describe("pipeline subgraph: schedules", () => {
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
  it("resolves PipelineRun and ModelVersion references and NOT_FOUND for unknown ids", async () => {
    await db.query(
      `INSERT INTO model_versions (id, version, stage, artifact_sha256) VALUES ('mv_1', 1, 'PRODUCTION', $1)`,
      ["a".repeat(64)],
    );
    const { body } = await signedQuery(
      app,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on PipelineRun { id status } ... on ModelVersion { id version stage artifactSha256 } } }`,
      {
        variables: {
          r: [
            { __typename: "PipelineRun", id: "run_old" },
            { __typename: "ModelVersion", id: "mv_1" },
            { __typename: "ModelVersion", id: "mv_404" },
          ],
        },
      },
    );
    expect(body.data).toEqual({
      _entities: [
        { id: "run_old", status: "FAILED" },
        { id: "mv_1", version: 1, stage: "PRODUCTION", artifactSha256: "a".repeat(64) },
        null,
      ],
    });
    expect(body.errors?.[0]).toMatchObject({ path: ["_entities", 2], extensions: { code: "NOT_FOUND" } });
  });

  it("keeps at most one production model", async () => {
    await expect(
      db.query(
        `INSERT INTO model_versions (id, version, stage, artifact_sha256) VALUES ('mv_2', 2, 'PRODUCTION', $1)`,
        ["b".repeat(64)],
      ),
    ).rejects.toThrow(/model_versions_one_production/);
  });
});
