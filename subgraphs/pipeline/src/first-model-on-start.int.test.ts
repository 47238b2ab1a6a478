import type { Database } from "@pokewatch/kit";
import { capturingLogger, createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trainFirstModelOnStart } from "./first-model-on-start.js";
import { migrateForPipeline, openPipelineTestApp, type PipelineTestApp } from "./pipeline-app.fixture.js";

let postgres: IsolatedPostgres;
let secondDb: Database;
const replicas: PipelineTestApp[] = [];

beforeEach(async () => {
  postgres = await createIsolatedPostgres();
  await migrateForPipeline(postgres.db);
  // A second replica: its own connections to the same database, as a second process has.
  secondDb = postgres.connectAnother();
});
afterEach(async () => {
  for (const replica of replicas.splice(0)) await replica.close();
  await postgres?.drop(); // closes the second replica's pool too
});

describe("trainFirstModelOnStart (PIPELINE_TRAIN_ON_START, standalone pipeline)", () => {
  it("trains the first model on one of two replicas started together on an empty registry", async () => {
    for (const db of [postgres.db, secondDb]) replicas.push(await openPipelineTestApp({ db }));
    const started = replicas.map(({ app }) => trainFirstModelOnStart(app, capturingLogger().logger));
    const outcomes = await Promise.all(started.map((replica) => replica.outcome));

    expect(outcomes.sort()).toEqual(["busy", "trained"]);
    const runs = await postgres.db.query<{ status: string }>("SELECT status FROM pipeline_runs");
    expect(runs).toEqual([{ status: "SUCCEEDED" }]);
    expect(await replicas[1]!.service.registry.production()).toBeDefined();
  });

  it("trains nothing once a model is in production", async () => {
    const first = await openPipelineTestApp({ db: postgres.db });
    replicas.push(first);
    expect(await trainFirstModelOnStart(first.app, capturingLogger().logger).outcome).toBe("trained");
    const restarted = await openPipelineTestApp({ db: secondDb });
    replicas.push(restarted);
    expect(await trainFirstModelOnStart(restarted.app, capturingLogger().logger).outcome).toBe("present");
    expect(await postgres.db.query("SELECT id FROM pipeline_runs")).toHaveLength(1);
  });

  it("starts no run once aborted (the service is stopping)", async () => {
    const replica = await openPipelineTestApp({ db: postgres.db });
    replicas.push(replica);
    const started = trainFirstModelOnStart(replica.app, capturingLogger().logger);
    started.abort();
    expect(await started.outcome).toBe("failed");
    expect(await postgres.db.query("SELECT id FROM pipeline_runs")).toHaveLength(0);
  });
});
