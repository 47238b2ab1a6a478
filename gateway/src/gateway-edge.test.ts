import { createServer } from "node:net";
import {
  API_CSP,
  HSTS_MAX_AGE_SECONDS,
  READY_CACHE_MS,
  createRedis,
  listen,
  renderMetrics,
  type FastifyInstance,
  type RunningServer,
} from "@pokewatch/kit";
import { TEST_SECRET, capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp, type CreateGatewayAppOptions } from "./gateway-app.js";
import { startCountedSubgraphs, type CountedSystem } from "./http/testing/counted-subgraphs.js";

let system: CountedSystem;
const opened: Array<FastifyInstance | RunningServer> = [];
beforeAll(async () => {
  system = await startCountedSubgraphs(["alpha", "beta"], TEST_SECRET, silentLogger());
});
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});
afterAll(() => system?.close());

async function gateway(options: Partial<CreateGatewayAppOptions> = {}) {
  const app = await createGatewayApp({
    supergraphSdl: system.supergraphSdl,
    secret: TEST_SECRET,
    auth: { enabled: false },
    logger: silentLogger(),
    subgraphUrls: system.subgraphUrls,
    ...options,
  });
  opened.push(app);
  return app;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("gateway edge: headers", () => {
  it("answers with helmet's headers and the strict API policy, without x-powered-by or HSTS", async () => {
    const app = await gateway();
    for (const request of [
      { method: "POST" as const, url: "/graphql", payload: { query: "{ alpha }" } },
      { method: "GET" as const, url: "/health" },
      { method: "GET" as const, url: "/nowhere" },
    ]) {
      const response = await app.inject(request);
      expect(response.headers).toMatchObject({
        "content-security-policy": API_CSP,
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
      expect(response.headers["x-powered-by"]).toBeUndefined();
      expect(response.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("adds HSTS when BEHIND_TLS says clients come over HTTPS", async () => {
    const app = await gateway({ behindTls: true });
    const response = await app.inject({ method: "POST", url: "/graphql", payload: { query: "{ alpha }" } });
    expect(response.json()).toEqual({ data: { alpha: "alpha" } });
    expect(response.headers["strict-transport-security"]).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}`);
  });
});

describe("gateway edge: metrics", () => {
  it("serves no /metrics on the public port and hands its registries to the metrics listener", async () => {
    const app = await gateway();
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    const text = await renderMetrics([app]);
    expect(text).toContain("# TYPE pokewatch_rate_limited_total counter");
    expect(text).toMatch(
      /^pokewatch_http_requests_total\{service="gateway",method="GET",route="unmatched",status="404"\} 1$/m,
    );
  });
});

describe("gateway edge: /ready", () => {
  it("probes each subgraph at most once a second, however many calls arrive", async () => {
    const server = await listen(await gateway(), { host: "127.0.0.1", port: 0 });
    opened.push(server);
    const probes = () => Object.values(system.subgraphs).map((subgraph) => subgraph.healthProbes());
    const before = probes();
    const ready = () => fetch(`${server.url}/ready`).then((response) => response.status);

    const floodAt = Date.now();
    const flood = await Promise.all(Array.from({ length: 50 }, ready));
    expect(flood.every((status) => status === 200)).toBe(true);
    expect(probes().map((count, i) => count - before[i]!)).toEqual([1, 1]);

    // Ten callers polling without pause for 2.5 s: a probe starts at most once per cache interval.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() - floodAt < 2.5 * READY_CACHE_MS) await ready();
      }),
    );
    const allowed = 1 + Math.floor((Date.now() - floodAt) / READY_CACHE_MS);
    for (const [i, count] of probes().entries()) {
      expect(count - before[i]!).toBeGreaterThanOrEqual(3);
      expect(count - before[i]!).toBeLessThanOrEqual(allowed);
    }
  });

  it("is unready (503) once a subgraph stops answering", async () => {
    const extra = await startCountedSubgraphs(["alpha", "beta"], TEST_SECRET, silentLogger());
    try {
      const app = await gateway({ supergraphSdl: extra.supergraphSdl, subgraphUrls: extra.subgraphUrls });
      expect((await app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
      await extra.subgraphs.beta!.server.close();
      await expect
        .poll(async () => (await app.inject({ method: "GET", url: "/ready" })).json<unknown>(), { timeout: 5_000 })
        .toEqual({ status: "unready", service: "gateway", checks: { alpha: "ok", beta: "failing" } });
    } finally {
      await extra.close();
    }
  });

  it("is unready (503) while its configured Redis does not answer", async () => {
    const redis = createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, logger: silentLogger() });
    try {
      const app = await gateway({ redis });
      const response = await app.inject({ method: "GET", url: "/ready" });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: "unready",
        service: "gateway",
        checks: { alpha: "ok", beta: "ok", redis: "failing" },
      });
    } finally {
      redis.disconnect();
    }
  });
});

describe("gateway edge: CORS in production", () => {
  const production = { nodeEnv: "production", auth: { enabled: true, keysUrl: "http://127.0.0.1:1" } } as const;

  it("refuses to start without CORS_ORIGINS, naming it", async () => {
    await expect(gateway(production)).rejects.toThrow(/^CORS_ORIGINS is not set: with NODE_ENV=production/);
  });

  it("starts with CORS_ORIGINS=* set on purpose, warns, and allows any origin", async () => {
    const { logger, lines } = capturingLogger("gateway");
    const app = await gateway({ ...production, corsOrigins: "*", logger });
    const warnings = lines()
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level === 40 && line.msg.includes("CORS_ORIGINS=* in production"));
    expect(warnings).toHaveLength(1);
    const response = await app.inject({
      method: "OPTIONS",
      url: "/graphql",
      headers: { origin: "https://anyone.example", "access-control-request-method": "POST" },
    });
    expect(response.headers["access-control-allow-origin"]).toBe("*");
  });

  it("allows only the listed origins", async () => {
    const app = await gateway({ ...production, corsOrigins: "https://binder.example" });
    const preflight = (origin: string) =>
      app.inject({
        method: "OPTIONS",
        url: "/graphql",
        headers: { origin, "access-control-request-method": "POST" },
      });
    expect((await preflight("https://binder.example")).headers["access-control-allow-origin"]).toBe(
      "https://binder.example",
    );
    expect((await preflight("http://localhost:5173")).headers["access-control-allow-origin"]).toBeUndefined();
  });
});
