import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import {
  DateScalar,
  createSubgraphApp,
  listen,
  pokewatchError,
  type RunningServer,
  type SubgraphContext,
} from "@pokewatch/kit";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "./gateway-app.js";
import { readSupergraphSdl } from "./supergraph.js";

// Throwaway subgraphs and supergraph: the gateway fronts whatever supergraph it is given.
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  scalar Date
  type Query {
    seen: Seen!
    missing: String
    broken: String
    day(on: Date!): String
  }
  type Seen @key(fields: "requestId") { requestId: String!, identityRequestId: String! }
`);
// A second subgraph that adds a field to Seen, so one query needs an entity join across the two.
const echoTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Seen @key(fields: "requestId") { requestId: String!, echoedBy: String! }
`);
const echoResolvers: GraphQLResolverMap<SubgraphContext> = {
  Seen: {
    __resolveReference: (seen: { requestId: string }, ctx: SubgraphContext) => ({
      requestId: seen.requestId,
      echoedBy: `echo saw ${ctx.identity.requestId}`,
    }),
  },
};
const resolvers: GraphQLResolverMap<SubgraphContext> = {
  Date: DateScalar,
  Query: {
    day: (_: unknown, args: { on: string }) => args.on,
    seen: (_: unknown, __: unknown, ctx: SubgraphContext) => ({
      requestId: ctx.requestId,
      identityRequestId: ctx.identity.requestId,
    }),
    missing: () => pokewatchError("NOT_FOUND", "No such thing"),
    broken: () => {
      throw new Error("connection to db://admin:hunter2@10.0.0.5 refused");
    },
  },
};

let subgraph: RunningServer;
let echo: RunningServer;
let gateway: RunningServer;
let supergraphSdl: string;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return {
    response,
    json: (await response.json()) as { data?: Record<string, unknown>; errors?: Array<Record<string, unknown>> },
  };
}

beforeAll(async () => {
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
  subgraph = await listen(
    await createSubgraphApp({
      name: "probe",
      schema,
      secret: TEST_SECRET,
      logger: silentLogger(),
      buildContext: (base) => base,
    }),
    { host: "127.0.0.1", port: 0 },
  );
  echo = await listen(
    await createSubgraphApp({
      name: "echo",
      schema: buildSubgraphSchema({ typeDefs: echoTypeDefs, resolvers: echoResolvers as GraphQLResolverMap<unknown> }),
      secret: TEST_SECRET,
      logger: silentLogger(),
      buildContext: (base) => base,
    }),
    { host: "127.0.0.1", port: 0 },
  );
  const composed = composeServices([
    { name: "probe", url: "http://unused.invalid/graphql", typeDefs },
    { name: "echo", url: "http://unused.invalid/graphql", typeDefs: echoTypeDefs },
  ]);
  if (composed.errors) throw composed.errors[0];
  supergraphSdl = composed.supergraphSdl;
  gateway = await listen(
    await createGatewayApp({
      supergraphSdl,
      secret: TEST_SECRET,
      auth: { enabled: false },
      logger: silentLogger(),
      subgraphUrls: { probe: `${subgraph.url}/graphql`, echo: `${echo.url}/graphql` },
    }),
    { host: "127.0.0.1", port: 0 },
  );
});
afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
  await echo?.close();
});

describe("gateway: request ids", () => {
  it("forwards the caller's x-request-id to the subgraph (signed into the identity) and echoes it", async () => {
    const { response, json } = await post(
      { query: "{ seen { requestId identityRequestId } }" },
      { "x-request-id": "batch-42.7" },
    );
    expect(response.headers.get("x-request-id")).toBe("batch-42.7");
    expect(json.data).toEqual({ seen: { requestId: "batch-42.7", identityRequestId: "batch-42.7" } });
  });

  it("makes one when the caller sends none, or an unsafe one", async () => {
    const { response, json } = await post({ query: "{ seen { requestId } }" }, { "x-request-id": "bad id\twith tabs" });
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.data).toEqual({ seen: { requestId: id } });
  });
});

describe("gateway: entity joins", () => {
  it("joins an entity across two subgraphs, each call signed for its own subgraph with the same identity", async () => {
    const { json } = await post({ query: "{ seen { requestId echoedBy } }" }, { "x-request-id": "join-1" });
    expect(json).toEqual({ data: { seen: { requestId: "join-1", echoedBy: "echo saw join-1" } } });
  });
});

describe("gateway: errors", () => {
  it("passes coded subgraph errors, tagged with the service name", async () => {
    const { json } = await post({ query: "{ missing }" });
    expect(json.errors?.[0]).toMatchObject({
      message: "No such thing",
      path: ["missing"],
      extensions: { code: "NOT_FOUND", serviceName: "probe" },
    });
  });

  it("masks unknown errors so no internals leave", async () => {
    const { response, json } = await post({ query: "{ broken }" });
    expect(response.status).toBe(200);
    expect(json.errors?.[0]).toMatchObject({
      message: "Internal server error",
      extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: "probe" },
    });
    expect(JSON.stringify(json)).not.toMatch(/hunter2|10\.0\.0\.5|stacktrace/);
  });

  it("answers a malformed query with GRAPHQL_PARSE_FAILED and no subgraph call", async () => {
    const { response, json } = await post({ query: "{ seen { " });
    expect(response.status).toBe(400);
    expect(json.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_PARSE_FAILED" });
  });
});

describe("gateway: subgraph failures", () => {
  async function gatewayTo(url: string) {
    return createGatewayApp({
      supergraphSdl,
      secret: TEST_SECRET,
      auth: { enabled: false },
      logger: silentLogger(),
      subgraphUrls: { probe: url, echo: `${echo.url}/graphql` },
    });
  }
  async function ask(app: Awaited<ReturnType<typeof gatewayTo>>, query: string) {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json" },
      payload: { query },
    });
    return response.json<{
      data?: unknown;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    }>();
  }

  it("answers SERVICE_UNAVAILABLE, tagged, when a subgraph refuses the gateway's signature", async () => {
    const other = await listen(
      await createSubgraphApp({
        name: "probe",
        schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
        secret: "a-different-secret-of-at-least-32-chars",
        logger: silentLogger(),
        buildContext: (base) => base,
      }),
      { host: "127.0.0.1", port: 0 },
    );
    const app = await gatewayTo(`${other.url}/graphql`);
    const body = await ask(app, "{ missing }");
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE", serviceName: "probe" } });
    expect(body.errors?.[0]?.extensions?.code).not.toBe("UNAUTHENTICATED");
    await app.close();
    await other.close();
  });

  it("answers SERVICE_UNAVAILABLE, tagged, without the subgraph's address, when it is down", async () => {
    const app = await gatewayTo("http://127.0.0.1:1/graphql");
    const body = await ask(app, "{ missing }");
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE", serviceName: "probe" } });
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    const ready = await app.inject({ method: "GET", url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "unready", service: "gateway", checks: { probe: "failing", echo: "ok" } });
    await app.close();
  });

  it("passes a subgraph's BAD_USER_INPUT for a malformed Date literal, tagged", async () => {
    const { json } = await post({ query: '{ day(on: "2025-02-30") }' });
    expect(json.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", serviceName: "probe" } });
    expect(json.errors?.[0]?.message).toMatch(/YYYY-MM-DD/);
    const ok = await post({ query: '{ day(on: "2024-02-29") }' });
    expect(ok.json).toEqual({ data: { day: "2024-02-29" } });
  });
});

describe("gateway: operation selection", () => {
  it("answers 400 OPERATION_RESOLUTION_FAILURE, not 500, when the operation to run is ambiguous or unknown", async () => {
    const document = "query A { missing } query B { missing }";
    const ambiguous = await post({ query: document });
    expect(ambiguous.response.status).toBe(400);
    expect(ambiguous.json.errors?.[0]?.extensions).toMatchObject({ code: "OPERATION_RESOLUTION_FAILURE" });
    const unknown = await post({ query: document, operationName: "C" });
    expect(unknown.response.status).toBe(400);
    expect(unknown.json.errors?.[0]?.extensions).toMatchObject({ code: "OPERATION_RESOLUTION_FAILURE" });
    const chosen = await post({ query: document, operationName: "B" });
    expect(chosen.json.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("gateway: landing page", () => {
  it("serves Apollo Sandbox at / outside production", async () => {
    const response = await fetch(`${gateway.url}/`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/sandbox/i);
  });

  it("serves no landing page in production", async () => {
    const production = await createGatewayApp({
      supergraphSdl,
      secret: TEST_SECRET,
      // Production refuses auth off; the page is refused before any key would be checked.
      auth: { enabled: true, keysUrl: "http://127.0.0.1:1" },
      logger: silentLogger(),
      nodeEnv: "production",
      corsOrigins: "https://binder.example",
    });
    const response = await production.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).not.toContain("text/html");
    expect(response.body).not.toMatch(/sandbox/i);
    await production.close();
  });
});

describe("gateway: CORS", () => {
  it("answers a browser preflight from a loopback page by default, from no other, and exposes x-request-id", async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const local = await preflight("http://localhost:5173");
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const other = await preflight("https://binder.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${gateway.url}/health`, { headers: { origin: "http://127.0.0.1:3000" } });
    expect(get.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("allows only the listed origins when CORS_ORIGINS names them", async () => {
    const app = await createGatewayApp({
      supergraphSdl,
      secret: TEST_SECRET,
      auth: { enabled: false },
      logger: silentLogger(),
      corsOrigins: "https://a.example, https://b.example",
    });
    const allowed = await app.inject({
      method: "OPTIONS",
      url: "/graphql",
      headers: { origin: "https://b.example", "access-control-request-method": "POST" },
    });
    const refused = await app.inject({
      method: "OPTIONS",
      url: "/graphql",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://b.example");
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    await app.close();
  });
});

describe("gateway: supergraph file", () => {
  it("names SUPERGRAPH_PATH when the file is missing", () => {
    expect(() => readSupergraphSdl("/nope/supergraph.graphql")).toThrow(
      /SUPERGRAPH_PATH: cannot read \/nope\/supergraph.graphql/,
    );
  });
});
