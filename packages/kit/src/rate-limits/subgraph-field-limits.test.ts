import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type * as GraphQL from "graphql";
import { parse, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import type { Identity } from "../identity.js";
import { testIdentity } from "../testing/signed-request.js";
import { applyFieldLimits } from "./subgraph-field-limits.js";

// buildSubgraphSchema builds with graphql's CommonJS build; vitest would hand this file the ESM one.
const { execute } = createRequire(import.meta.url)("graphql") as typeof GraphQL;

const LINKS = `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
`;

function subgraph(sdl: string, calls: Record<string, number> = {}): GraphQLSchema {
  const count = (field: string) => () => {
    calls[field] = (calls[field] ?? 0) + 1;
    return field;
  };
  return buildSubgraphSchema({
    typeDefs: parse(sdl),
    resolvers: {
      Query: { limited: count("limited"), open: count("open"), card: () => ({ id: "c1" }) },
      Card: { __resolveReference: (ref: { id: string }) => ref, name: count("name") },
    },
  });
}

const SDL = `${LINKS}
  type Query {
    limited: String @rateLimit(limit: 2, duration: 60)
    open: String
    card: Card
  }
  type Card @key(fields: "id") @rateLimit(limit: 3) {
    id: ID!
    name: String
    rare: String @rateLimit(limit: 1, duration: 30)
  }
`;

const caller = (overrides: Partial<Identity> = {}) => testIdentity({ keyId: `key_${randomUUID()}`, ...overrides });

async function run(schema: GraphQLSchema, query: string, identity: Identity, variableValues?: Record<string, unknown>) {
  return execute({ schema, document: parse(query), contextValue: { identity }, variableValues });
}

describe("applyFieldLimits (in memory)", () => {
  it("finds @rateLimit on a buildSubgraphSchema schema and refuses the call over the limit", async () => {
    const calls: Record<string, number> = {};
    const schema = applyFieldLimits(subgraph(SDL, calls));
    const identity = caller();

    expect(await run(schema, "{ limited }", identity)).toEqual({ data: { limited: "limited" } });
    expect(await run(schema, "{ limited }", identity)).toEqual({ data: { limited: "limited" } });
    const third = await run(schema, "{ limited open }", identity);

    expect(third.data).toEqual({ limited: null, open: "open" });
    expect(third.errors).toHaveLength(1);
    const error = third.errors![0]!;
    expect(error.path).toEqual(["limited"]);
    expect(error.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Query.limited" });
    const retryAfter = error.extensions.retryAfter as number;
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(error.message).toBe(`Query.limited allows 2 calls per 60 s for each key; retry in ${retryAfter} s.`);
    expect(calls.limited).toBe(2);
  });

  it("counts nothing when the gateway already counted the operation", async () => {
    const schema = applyFieldLimits(subgraph(SDL));
    const identity = caller({ fieldLimitsCounted: true });
    for (let i = 0; i < 10; i += 1) {
      expect(await run(schema, "{ limited }", identity)).toEqual({ data: { limited: "limited" } });
    }
    // Nothing was counted: the same key, now uncounted by the gateway, still has its 2 calls.
    const uncounted = { ...identity, fieldLimitsCounted: false };
    expect((await run(schema, "{ a: limited b: limited }", uncounted)).errors).toBeUndefined();
  });

  it("keeps a counter per API key, anonymous callers sharing one", async () => {
    const schema = applyFieldLimits(subgraph(SDL));
    const first = caller();
    await run(schema, "{ a: limited b: limited }", first);
    expect((await run(schema, "{ limited }", first)).errors?.[0]?.extensions.code).toBe("RATE_LIMITED");

    expect((await run(schema, "{ limited }", caller())).errors).toBeUndefined();
    const anonymous = () => testIdentity({ keyId: null });
    await run(schema, "{ a: limited b: limited }", anonymous());
    expect((await run(schema, "{ limited }", anonymous())).errors?.[0]?.extensions.code).toBe("RATE_LIMITED");
  });

  it("applies a type's @rateLimit to its fields, the field's own winning, through _entities too", async () => {
    const schema = applyFieldLimits(subgraph(SDL));
    const identity = caller();
    const names = await run(
      schema,
      "{ a: card { name } b: card { name } c: card { name } d: card { name } }",
      identity,
    );
    expect(names.data).toEqual({ a: { name: "name" }, b: { name: "name" }, c: { name: "name" }, d: { name: null } });
    expect(names.errors?.map((e) => e.extensions.field)).toEqual(["Card.name"]);

    const entities = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Card { rare } } }`;
    const cards = {
      r: [
        { __typename: "Card", id: "c1" },
        { __typename: "Card", id: "c2" },
      ],
    };
    const result = await run(schema, entities, identity, cards);
    expect(result.data).toEqual({ _entities: [{ rare: null }, { rare: null }] });
    expect(result.errors?.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Card\.rare allows 1 calls per 30 s for each key; retry in \d+ s\.$/),
    ]);
  });

  it("does not count the federation fields themselves under a Query-wide @rateLimit", async () => {
    const schema = applyFieldLimits(
      subgraph(`${LINKS}
        type Query @rateLimit(limit: 1) { limited: String, open: String, card: Card }
        type Card @key(fields: "id") { id: ID!, name: String }
      `),
    );
    const identity = caller();
    for (let i = 0; i < 3; i += 1) {
      const sdl = await run(schema, "{ _service { sdl } }", identity);
      expect(sdl.errors).toBeUndefined();
    }
    expect((await run(schema, "{ open }", identity)).errors).toBeUndefined();
    expect((await run(schema, "{ open }", identity)).errors?.[0]?.extensions.field).toBe("Query.open");
  });

  it("follows the name @rateLimit is imported as, with the definition's defaults", async () => {
    const schema = applyFieldLimits(
      subgraph(`
        extend schema
          @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
          @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: [{ name: "@rateLimit", as: "@limit" }])
        directive @limit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
        type Query { limited: String @limit(limit: 1), open: String @limit, card: Card }
        type Card @key(fields: "id") { id: ID!, name: String }
      `),
    );
    const identity = caller();
    await run(schema, "{ limited }", identity);
    expect((await run(schema, "{ limited }", identity)).errors?.[0]?.message).toMatch(
      /^Query\.limited allows 1 calls per 60 s/,
    );
    const sixty = Array.from({ length: 61 }, (_, i) => `o${i}: open`).join(" ");
    const result = await run(schema, `{ ${sixty} }`, identity);
    expect(result.errors?.map((e) => e.path)).toEqual([["o60"]]);
  });

  it("returns a schema that does not link @rateLimit unchanged", async () => {
    const plain = subgraph(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
      type Query { limited: String, open: String, card: Card }
      type Card @key(fields: "id") { id: ID!, name: String }
    `);
    expect(applyFieldLimits(plain)).toBe(plain);
    const identity = caller();
    for (let i = 0; i < 5; i += 1) expect((await run(plain, "{ limited }", identity)).errors).toBeUndefined();
  });
});
