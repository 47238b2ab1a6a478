import { connectRedis, createRedis, type Redis } from "@pokewatch/kit";
import { createIsolatedPostgres, silentLogger, TEST_REDIS_URL, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { PRODUCTION_MODEL_CHANNEL, type ModelVersion } from "@pokewatch/model";
import { newModelVersionFixture } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateForPipeline, openPipelineTestApp, type PipelineTestApp } from "./pipeline-app.fixture.js";

let postgres: IsolatedPostgres;
let redis: Redis;
let subscriber: Redis;
let fixture: PipelineTestApp;
let versions: ModelVersion[];
const announced: string[] = [];

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  await migrateForPipeline(postgres.db);
  redis = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  subscriber = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  expect(await connectRedis(redis)).toBe(true);
  expect(await connectRedis(subscriber)).toBe(true);
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === PRODUCTION_MODEL_CHANNEL) announced.push(message);
  });
  await subscriber.subscribe(PRODUCTION_MODEL_CHANNEL);
  fixture = await openPipelineTestApp({ db: postgres.db, redis });
  const { registry } = fixture.service;
  versions = [
    await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" }),
    await registry.register(newModelVersionFixture(2)),
  ];
});
afterAll(async () => {
  await fixture?.close();
  subscriber?.disconnect();
  redis?.disconnect();
  await postgres?.drop();
});

/** Other test files may announce on the shared Redis too: only this file's versions count. */
async function announcedOf(ids: string[]): Promise<string[]> {
  await expect.poll(() => announced.filter((id) => ids.includes(id)).length).toBeGreaterThanOrEqual(ids.length);
  return announced.filter((id) => ids.includes(id));
}

describe("pipeline subgraph on PostgreSQL and Redis", () => {
  it("announces a promotion and a rollback, so serving replicas switch at once", async () => {
    const ids = versions.map((version) => version.id);
    const promoted = await fixture.query(`mutation { promoteModel(id: "${ids[1]}") { id stage } }`);
    expect(promoted.body.data?.promoteModel).toEqual({ id: ids[1], stage: "PRODUCTION" });
    const rolledBack = await fixture.query("mutation { rollbackModel { id stage } }");
    expect(rolledBack.body.data?.rollbackModel).toEqual({ id: ids[0], stage: "PRODUCTION" });
    expect(await announcedOf(ids)).toEqual([ids[1], ids[0]]);
  });

  it("reports Redis and PostgreSQL ready", async () => {
    const response = await fixture.app.inject({ method: "GET", url: "/ready" });
    expect(response.statusCode).toBe(200);
  });
});
