import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SUPERGRAPH_PATH } from "../env.js";
import { createGatewayApp } from "../gateway-app.js";
import { readSupergraphSdl } from "../supergraph.js";

// The real supergraph, its subgraphs replaced by one server that counts what reaches it.
let subgraphCalls = 0;
let subgraph: Server;
let gateway: FastifyInstance;

beforeAll(async () => {
  subgraph = createServer((_request, response) => {
    subgraphCalls += 1;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: null }));
  });
  await new Promise<void>((resolve) => subgraph.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
  gateway = await createGatewayApp({
    supergraphSdl: readSupergraphSdl(DEFAULT_SUPERGRAPH_PATH),
    secret: TEST_SECRET,
    logger: silentLogger(),
    subgraphUrls: { pricing: url, keys: url, pipeline: url },
    rateLimits: { enabled: false },
  });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => subgraph?.close(resolve));
});

interface Answer {
  status: number;
  errors: Array<{ message: string; extensions: Record<string, unknown> }>;
}

async function post(body: unknown): Promise<Answer> {
  const response = await gateway.inject({ method: "POST", url: "/graphql", payload: body as Record<string, unknown> });
  return { status: response.statusCode, errors: response.json<Pick<Answer, "errors">>().errors ?? [] };
}

async function refusedBeforeAnySubgraph(body: unknown): Promise<Answer> {
  const before = subgraphCalls;
  const answer = await post(body);
  expect(subgraphCalls).toBe(before);
  return answer;
}

const doubling = (levels: number) =>
  `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(" ")} fragment F${levels} on Query { __typename }`;

describe("operation limits at the gateway", () => {
  it.each([
    ["a fragment doubling itself 30 times", doubling(30), "fields"],
    ["10,000 aliases", `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`, "tokens"],
    [
      "1,000 aliases of card",
      `{ ${Array.from({ length: 1_000 }, (_, i) => `a${i}: card(id: "x") { id }`).join(" ")} }`,
      "aliases",
    ],
    ["fields nested 900 deep", `${'{ card(id: "x") { set '.repeat(1)}${"{ a ".repeat(900)}${"}".repeat(902)}`, "depth"],
    ["60 directives on one field", `{ __typename ${"@include(if: true) ".repeat(60)}}`, "directives"],
  ])("answers %s with 400 OPERATION_LIMIT_EXCEEDED, naming the limit", async (_name, query, limit) => {
    const { status, errors } = await refusedBeforeAnySubgraph({ query });
    expect(status).toBe(400);
    expect(errors[0]?.extensions).toMatchObject({ code: "OPERATION_LIMIT_EXCEEDED", operationLimit: limit });
    expect(errors[0]?.message).toMatch(/at most \d+/);
  });

  it("reads its limits from the options (OPERATION_MAX_* in the entry points)", async () => {
    const strict = await createGatewayApp({
      supergraphSdl: readSupergraphSdl(DEFAULT_SUPERGRAPH_PATH),
      secret: TEST_SECRET,
      logger: silentLogger(),
      rateLimits: { enabled: false },
      operationLimits: { maxTokens: 1_000, maxDepth: 2, maxAliases: 1, maxDirectives: 1, maxFields: 10 },
    });
    try {
      const response = await strict.inject({
        method: "POST",
        url: "/graphql",
        payload: { query: `{ card(id: "x") { set { name } } }` },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        errors: [{ extensions: { code: "OPERATION_LIMIT_EXCEEDED", operationLimit: "depth", max: 2, actual: 3 } }],
      });
    } finally {
      await strict.close();
    }
  });
});

describe("client mistakes answered with a code, never a 500", () => {
  it("refuses a subscription with 400 GRAPHQL_VALIDATION_FAILED", async () => {
    const { status, errors } = await refusedBeforeAnySubgraph({ query: `subscription { card(id: "x") { id } }` });
    expect(status).toBe(400);
    expect(errors[0]).toMatchObject({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(errors[0]?.message).toMatch(/no subscription operations/);
  });

  const query = "{ __typename }";
  const hash = createHash("sha256").update(query).digest("hex");
  it.each([
    [
      "a hash that is not the query's",
      { query, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } },
      "BAD_REQUEST",
    ],
    ["a malformed hash", { query, extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } }, "BAD_REQUEST"],
    [
      "version 1.5",
      { query, extensions: { persistedQuery: { version: 1.5, sha256Hash: hash } } },
      "PERSISTED_QUERY_NOT_SUPPORTED",
    ],
    ["persistedQuery: []", { query, extensions: { persistedQuery: [] } }, "BAD_REQUEST"],
    ['persistedQuery: "x"', { extensions: { persistedQuery: "x" } }, "BAD_REQUEST"],
  ])("answers an automatic persisted query with %s 400 with a code", async (_name, body, code) => {
    const { status, errors } = await refusedBeforeAnySubgraph(body);
    expect(status).toBe(400);
    expect(errors[0]?.extensions.code).toBe(code);
  });

  it("keeps Apollo's persisted-query protocol: not found, then registered with its query, then found", async () => {
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
    expect((await post(persisted)).errors[0]?.extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(await post({ query, ...persisted })).toMatchObject({ status: 200, errors: [] });
    expect(await post(persisted)).toMatchObject({ status: 200, errors: [] });
  });

  it.each([
    ["a NUL byte in a literal", { query: `{ card(id: "sv3pt5-6\\u0000") { id } }` }, "id", "id"],
    ["an id of 201 characters", { query: `{ card(id: "${"x".repeat(201)}") { id } }` }, "id", "id"],
    [
      "a control character in a variable list",
      { query: "query ($ids: [ID!]!) { cards(ids: $ids) { id } }", variables: { ids: ["sv3pt5-6", "a\u001bb"] } },
      "ids",
      "ids[1]",
    ],
    [
      "a NUL byte inside an input object",
      { query: `{ fairPrices(requests: [{ cardId: "ok" }, { cardId: "x\\u0000" }]) { fairPrice } }` },
      "requests",
      "requests[1].cardId",
    ],
  ])("refuses %s with 400 BAD_USER_INPUT naming the argument", async (_name, body, argument, at) => {
    const { status, errors } = await refusedBeforeAnySubgraph(body);
    expect(status).toBe(400);
    expect(errors[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
    expect(errors[0]?.message).toContain(`the id at ${at}`);
  });
});
