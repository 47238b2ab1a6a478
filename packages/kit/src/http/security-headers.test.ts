import { buildSubgraphSchema } from "@apollo/subgraph";
import type { FastifyInstance } from "fastify";
import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../testing/loggers.js";
import { TEST_SECRET } from "../testing/signed-request.js";
import { createHttpApp } from "./http-app.js";
import { API_CSP, HSTS_MAX_AGE_SECONDS, cspDirectives } from "./security-headers.js";
import { createSubgraphApp } from "./subgraph-server.js";

const EXPECTED = {
  "content-security-policy": API_CSP,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function plainApp(behindTls?: boolean) {
  const app = createHttpApp({ logger: silentLogger(), behindTls });
  app.get("/ok", () => ({ ok: true }));
  app.get("/boom", () => {
    throw new Error("internal detail");
  });
  apps.push(app);
  return app;
}

describe("security headers", () => {
  it("reads a policy's directives", () => {
    expect(cspDirectives(API_CSP)).toEqual({
      "default-src": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it.each([
    ["an answer", "/ok", 200],
    ["a 404", "/nowhere", 404],
    ["a 500", "/boom", 500],
  ])("are on %s, without x-powered-by or HSTS by default", async (_what, url, status) => {
    const response = await plainApp().inject({ method: "GET", url });
    expect(response.statusCode).toBe(status);
    expect(response.headers).toMatchObject(EXPECTED);
    expect(response.headers["x-powered-by"]).toBeUndefined();
    expect(response.headers["strict-transport-security"]).toBeUndefined();
  });

  it("add HSTS behind TLS", async () => {
    const response = await plainApp(true).inject({ method: "GET", url: "/ok" });
    expect(response.headers["strict-transport-security"]).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}`);
  });

  it("are on a subgraph's answers, its 401 refusal included", async () => {
    const app = await createSubgraphApp({
      name: "headers-probe",
      schema: buildSubgraphSchema({ typeDefs: parse("type Query { ok: Boolean }") }),
      secret: TEST_SECRET,
      logger: silentLogger(),
      behindTls: true,
      buildContext: (base) => base,
    });
    apps.push(app);
    for (const request of [
      { method: "GET" as const, url: "/health" },
      { method: "POST" as const, url: "/graphql", payload: { query: "{ ok }" } },
    ]) {
      const response = await app.inject(request);
      expect(response.headers).toMatchObject(EXPECTED);
      expect(response.headers["strict-transport-security"]).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}`);
      expect(response.headers["x-powered-by"]).toBeUndefined();
    }
  });
});
