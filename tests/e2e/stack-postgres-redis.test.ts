import { createIsolatedPostgres, TEST_REDIS_URL, type IsolatedPostgres } from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SUBGRAPHS_QUERY, postGraphQL, startTestStack } from "./stack-fixture.js";

let postgres: IsolatedPostgres;
let stack: RunningStack;
beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  stack = await startTestStack({ REDIS_URL: TEST_REDIS_URL }, postgres.db);
});
afterAll(async () => {
  await stack?.close();
  await postgres?.drop();
});

describe("whole stack on the real PostgreSQL and Redis", () => {
  it("migrates PostgreSQL at start, once per service and version", async () => {
    expect(stack.database).toBe("postgres");
    const rows = await postgres.db.query<{ service: string; version: number }>(
      "SELECT service, version FROM schema_migrations ORDER BY service, version",
    );
    expect(rows).toEqual([
      { service: "keys", version: 1 },
      { service: "keys", version: 2 },
      { service: "market", version: 1 },
      { service: "market", version: 2 },
      { service: "market", version: 3 },
      { service: "model", version: 1 },
      { service: "model", version: 2 },
      { service: "pipeline", version: 1 },
      { service: "pipeline", version: 2 },
      { service: "pipeline", version: 3 },
      { service: "pipeline", version: 4 },
      { service: "pipeline", version: 5 },
    ]);
  });

  it("answers the three-subgraph query, reading runs from PostgreSQL", async () => {
    await postgres.db.query(
      `INSERT INTO pipeline_runs (id, status, trigger, scheduled_for, created_at, started_at, finished_at)
       VALUES ('run_pg', 'SUCCEEDED', 'SCHEDULE', now(), now(), now() - interval '2 seconds', now())`,
    );
    const { body } = await postGraphQL(stack.gatewayUrl, ALL_SUBGRAPHS_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      card: { name: "Charizard ex" },
      viewer: { authenticated: true },
      schedules: [{ cron: "0 3 * * *", lastRun: { id: "run_pg" } }],
    });
  });

  it("reports Redis and PostgreSQL from each subgraph's readiness", async () => {
    expect(stack.redis).toBe(true);
    for (const url of Object.values(stack.subgraphUrls)) {
      const report = (await (await fetch(url.replace(/graphql$/, "ready"))).json()) as {
        status: string;
        checks: Record<string, string>;
      };
      expect(report.status).toBe("ready");
      expect(report.checks.redis).toBe("ok");
    }
  });
});
