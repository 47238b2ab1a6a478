import { runMigrations, type Migration } from "@pokewatch/kit";
import { createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { modelMigrations } from "./model-migrations.js";

// What the pipeline subgraph applied as its migration 2 before the registry moved here.
const legacyPipelineMigrations: Migration[] = [
  { version: 1, name: "create-pipeline-runs", sql: "CREATE TABLE pipeline_runs (id text PRIMARY KEY)" },
  {
    version: 2,
    name: "create-model-versions",
    sql: `CREATE TABLE model_versions (id text PRIMARY KEY, version integer NOT NULL UNIQUE, stage text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), artifact_sha256 text NOT NULL)`,
  },
];

let pg: IsolatedPostgres;
beforeEach(async () => {
  pg = await createIsolatedPostgres();
});
afterEach(async () => {
  await pg?.drop();
});

const columns = async () =>
  (
    await pg.db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'model_versions'",
      [pg.schema],
    )
  ).map((c) => c.column_name);

describe("modelMigrations", () => {
  it("creates model_versions in an empty database", async () => {
    expect(await runMigrations(pg.db, "model", modelMigrations())).toEqual([1, 2]);
    expect(await columns()).toContain("prediction_interval");
  });

  it("takes model_versions over from the pipeline's old migration 2, which then no longer counts", async () => {
    await runMigrations(pg.db, "pipeline", legacyPipelineMigrations);
    expect(await runMigrations(pg.db, "model", modelMigrations())).toEqual([1, 2]);
    expect(await columns()).toEqual(expect.arrayContaining(["features", "metrics", "artifact_bytes"]));
    expect(await pg.db.query("SELECT service, version FROM schema_migrations ORDER BY service, version")).toEqual([
      { service: "model", version: 1 },
      { service: "model", version: 2 },
      { service: "pipeline", version: 1 },
    ]);
    // The pipeline keeps its migration 1 and may number its next one 2 again.
    expect(await runMigrations(pg.db, "pipeline", legacyPipelineMigrations.slice(0, 1))).toEqual([]);
  });
});
