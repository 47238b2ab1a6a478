import { buildSubgraphSchema } from "@apollo/subgraph";
import type { FastifyInstance } from "fastify";
import { parse } from "graphql";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pokewatchError } from "../errors.js";
import { signIdentity, type SignedRequest } from "../signing.js";
import { silentLogger } from "../testing/loggers.js";
import { TEST_SECRET, signedQuery, testIdentity } from "../testing/signed-request.js";
import type { ReadinessCheck } from "./health-routes.js";
import { createSubgraphApp, type SubgraphContext } from "./subgraph-server.js";

let resolverCalls = 0;
const schema = buildSubgraphSchema({
  typeDefs: parse(`
    type Whoami { keyId: String, scopes: [String!]!, requestId: String! }
    type Query { whoami: Whoami!, leak: String, card(id: ID!): String }
  `),
  resolvers: {
    Query: {
      whoami: (_root: unknown, _args: unknown, context: unknown) => {
        resolverCalls += 1;
        const { identity, requestId } = context as SubgraphContext;
        return { keyId: identity.keyId, scopes: identity.scopes, requestId };
      },
      leak: () => {
        throw new Error("connect failed: password=hunter2");
      },
      card: (_root: unknown, args: Record<string, unknown>) => {
        throw pokewatchError("NOT_FOUND", `No card with id ${String(args.id)}`, { extensions: { argument: "id" } });
      },
    },
  },
});

function createApp(readiness?: Record<string, ReadinessCheck>) {
  return createSubgraphApp({
    name: "test-subgraph",
    schema,
    secret: TEST_SECRET,
    logger: silentLogger(),
    buildContext: (base) => base,
    ...(readiness ? { readiness } : {}),
  });
}

const WHOAMI = "{ whoami { keyId scopes requestId } }";
const WHOAMI_BODY = JSON.stringify({ query: WHOAMI });
/** What the gateway signs for this app's whoami call; a test changes one part. */
const WHOAMI_REQUEST: SignedRequest = {
  audience: "test-subgraph",
  method: "POST",
  path: "/graphql",
  body: WHOAMI_BODY,
};
const signWhoami = (change: Partial<SignedRequest> = {}, secret = TEST_SECRET) =>
  signIdentity(testIdentity(), secret, { ...WHOAMI_REQUEST, ...change });
let app: FastifyInstance;
beforeAll(async () => {
  app = await createApp();
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  resolverCalls = 0;
});

describe("subgraph /graphql signature check", () => {
  it("refuses an unsigned call with 401 before any resolver runs", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ query: WHOAMI }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toContain("PokeWatch-Signature");
    const body = response.json<{ errors: Array<{ message: string; extensions: { code: string } }> }>();
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
    expect(resolverCalls).toBe(0);
  });

  it("refuses a call signed with another secret", async () => {
    const { status, body } = await signedQuery(app, WHOAMI, { secret: "not-the-subgraph-secret-but-32-chars-long" });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(resolverCalls).toBe(0);
  });

  it("refuses a signed call whose body or audience was changed, saying only Unauthenticated", async () => {
    const signed = signWhoami();
    const swapped = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", ...signed },
      payload: JSON.stringify({ query: "{ leak }" }),
    });
    expect(swapped.statusCode).toBe(401);
    expect(swapped.json()).toEqual({
      errors: [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }],
    });
    const forOther = signWhoami({ audience: "keys" });
    const misrouted = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", ...forOther },
      payload: WHOAMI_BODY,
    });
    expect(misrouted.statusCode).toBe(401);
    expect(resolverCalls).toBe(0);
  });

  it.each<[string, Partial<SignedRequest>, string]>([
    ["another method", { method: "GET" }, "/graphql"],
    ["another path", { path: "/internal/api-keys/verify" }, "/graphql"],
    ["no query string, sent with one", {}, "/graphql?operationName=x"],
    ["a query string, sent without", { path: "/graphql?operationName=x" }, "/graphql"],
  ])("refuses a call signed for %s with 401 before any resolver runs", async (_case, change, url) => {
    const response = await app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json", ...signWhoami(change) },
      payload: WHOAMI_BODY,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      errors: [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }],
    });
    expect(resolverCalls).toBe(0);
  });

  it("accepts a call signed for its query string", async () => {
    const url = "/graphql?operationName=x";
    const response = await app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json", ...signWhoami({ path: url }) },
      payload: WHOAMI_BODY,
    });
    expect(response.statusCode).toBe(200);
    expect(resolverCalls).toBe(1);
  });

  it("runs a correctly signed call with the signed identity in context", async () => {
    const identity = testIdentity({ keyId: "key_live", scopes: ["prices:read"], plan: "free" });
    const { status, body } = await signedQuery<{ whoami: { keyId: string; scopes: string[] } }>(app, WHOAMI, {
      identity,
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.whoami).toMatchObject({ keyId: "key_live", scopes: ["prices:read"] });
    expect(resolverCalls).toBe(1);
  });

  it("keeps the caller's x-request-id, echoes it and puts it in context", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: {
        "content-type": "application/json",
        "x-request-id": "req-abc.123",
        ...signWhoami(),
      },
      payload: WHOAMI_BODY,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toBe("req-abc.123");
    expect(response.json<{ data: { whoami: { requestId: string } } }>().data.whoami.requestId).toBe("req-abc.123");
  });
});

describe("subgraph secret rotation", () => {
  const OLD = "the-old-subgraph-secret-of-32-chars-or-more";
  const NEW = "the-new-subgraph-secret-of-32-chars-or-more";
  const rotating = (previousSecret?: string) =>
    createSubgraphApp({
      name: "test-subgraph",
      schema,
      secret: NEW,
      previousSecret,
      logger: silentLogger(),
      buildContext: (base) => base,
    });
  const status = async (subgraph: FastifyInstance, secret: string) =>
    (await signedQuery(subgraph, WHOAMI, { secret })).status;

  it("accepts the current and the previous secret during a change, and only the current after it", async () => {
    const during = await rotating(OLD);
    const after = await rotating();
    try {
      expect(await status(during, OLD)).toBe(200);
      expect(await status(during, NEW)).toBe(200);
      expect(await status(during, TEST_SECRET)).toBe(401);
      expect(await status(after, NEW)).toBe(200);
      expect(await status(after, OLD)).toBe(401);
    } finally {
      await during.close();
      await after.close();
    }
  });
});

describe("subgraph error masking", () => {
  it("answers an unexpected throw as INTERNAL_SERVER_ERROR without its message", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: {
        "content-type": "application/json",
        ...signWhoami({ body: '{"query":"{ leak }"}' }),
      },
      payload: '{"query":"{ leak }"}',
    });
    expect(response.body).not.toContain("hunter2");
    const body = response.json<{
      errors: Array<{ message: string; path: string[]; extensions: Record<string, unknown> }>;
    }>();
    expect(body.errors).toEqual([
      { message: "Internal server error", path: ["leak"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
    ]);
  });

  it("passes a coded error with its message", async () => {
    const { body } = await signedQuery(app, '{ card(id: "sv1-999") }');
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message: "No card with id sv1-999", path: ["card"] });
    expect(body.errors![0]!.extensions).toEqual({ code: "NOT_FOUND", argument: "id" });
  });
});

describe("subgraph health routes", () => {
  const failing = (message: string) => () => Promise.reject(new Error(message));
  let extra: FastifyInstance | undefined;
  afterEach(async () => {
    await extra?.close();
    extra = undefined;
  });

  it("answers /health without a signature", async () => {
    const response = await app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok", service: "test-subgraph" });
  });

  it("is ready with no checks", async () => {
    const response = await app.inject({ method: "GET", url: "/ready" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ready", service: "test-subgraph", checks: {} });
  });

  it("reports degraded (200) when only a non-critical check fails", async () => {
    extra = await createApp({
      database: { critical: true, check: () => Promise.resolve() },
      redis: { critical: false, check: failing("connection refused") },
    });
    const response = await extra.inject({ method: "GET", url: "/ready" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: "degraded",
      service: "test-subgraph",
      checks: { database: "ok", redis: "failing" },
    });
  });

  it("reports unready (503) when a critical check fails", async () => {
    extra = await createApp({
      database: { critical: true, check: failing("no database") },
      redis: { critical: false, check: () => Promise.resolve("PONG") },
    });
    const response = await extra.inject({ method: "GET", url: "/ready" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: "unready",
      checks: { database: "failing", redis: "ok" },
    });
  });
});
