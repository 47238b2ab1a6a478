import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../testing/loggers.js";
import { createHttpApp, type RunningServer } from "./http-app.js";
import { addMetricsRegistry } from "./http-metrics.js";
import { serveMetrics } from "./metrics-server.js";

const apps: FastifyInstance[] = [];
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const app of apps.splice(0)) await app.close();
});

function serviceApp(service: string) {
  const app = createHttpApp({ logger: silentLogger(), service });
  app.get("/thing/:id", () => ({ ok: true }));
  apps.push(app);
  return app;
}

describe("metrics listener", () => {
  it("is off without METRICS_PORT", async () => {
    expect(
      await serveMetrics({ apps: [], host: "127.0.0.1", port: undefined, logger: silentLogger() }),
    ).toBeUndefined();
  });

  it("serves every app's metrics on its own port, one family per metric told apart by service; none on the apps' port", async () => {
    const gateway = serviceApp("gateway");
    const pricing = serviceApp("pricing");
    const own = new Registry();
    new Counter({ name: "pokewatch_test_things_total", help: "Things.", registers: [own] }).inc(3);
    addMetricsRegistry(pricing, own);
    await gateway.inject({ method: "GET", url: "/thing/1" });
    await gateway.inject({ method: "GET", url: "/thing/2" });
    await pricing.inject({ method: "GET", url: "/nowhere/at/all" });
    expect((await gateway.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);

    const server = await serveMetrics({
      apps: [gateway, pricing],
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger(),
    });
    servers.push(server!);
    const response = await fetch(`${server!.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    expect(text.match(/^# TYPE pokewatch_http_requests_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(
      /^pokewatch_http_requests_total\{service="gateway",method="GET",route="\/thing\/:id",status="200"\} 2$/m,
    );
    expect(text).toMatch(
      /^pokewatch_http_requests_total\{service="pricing",method="GET",route="unmatched",status="404"\} 1$/m,
    );
    expect(text).toMatch(/^pokewatch_test_things_total 3$/m);
    expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
  });

  it("names METRICS_PORT when its port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(serveMetrics({ apps: [], host: "127.0.0.1", port, logger: silentLogger() })).rejects.toThrow(
        `METRICS_PORT: port ${port} on 127.0.0.1 is already in use`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
