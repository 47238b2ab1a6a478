import { createServer } from "node:net";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { createRedis } from "../redis.js";
import { silentLogger } from "../testing/loggers.js";
import { TEST_SECRET } from "../testing/signed-request.js";
import { redisReadiness } from "./readiness-checks.js";
import { createSubgraphApp } from "./subgraph-server.js";

/** A port nothing listens on: bound by the system for a moment, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("redisReadiness", () => {
  it("checks nothing when no Redis is configured", () => {
    expect(redisReadiness(undefined)).toEqual({});
  });

  it("makes a subgraph unready (503) while its configured Redis does not answer", async () => {
    const redis = createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, logger: silentLogger() });
    const app = await createSubgraphApp({
      name: "redis-probe",
      schema: buildSubgraphSchema({ typeDefs: parse("type Query { ok: Boolean }") }),
      secret: TEST_SECRET,
      logger: silentLogger(),
      readiness: redisReadiness(redis),
      buildContext: (base) => base,
    });
    try {
      const response = await app.inject({ method: "GET", url: "/ready" });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: "unready", service: "redis-probe", checks: { redis: "failing" } });
    } finally {
      await app.close();
      redis.disconnect();
    }
  });
});
