import { buildSubgraphSchema } from "@apollo/subgraph";
import type { FastifyInstance } from "fastify";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubgraphApp, type SubgraphContext } from "../http/subgraph-server.js";
import { silentLogger } from "../testing/loggers.js";
import { TEST_SECRET, signedQuery, testIdentity } from "../testing/signed-request.js";
import { applyScopeChecks } from "./scope-checks.js";
import { scopesDirectiveName } from "./scopes-link.js";

const HEADER = `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://pokewatch.dev/scopes/v1.0", import: ["@scopes"])
    @composeDirective(name: "@scopes")
  directive @scopes(anyOf: [String!]!) on FIELD_DEFINITION | OBJECT
`;
let calls = 0;
const schema = applyScopeChecks(
  buildSubgraphSchema({
    typeDefs: parse(`${HEADER}
      type Query {
        open: String
        price: Float @scopes(anyOf: ["prices:read"])
        either: String @scopes(anyOf: ["pipeline:read", "keys:admin"])
        secret: Secret
      }
      type Secret @key(fields: "id") @scopes(anyOf: ["keys:admin"]) {
        id: ID!
        hint: String @scopes(anyOf: ["prices:read"])
      }
    `),
    resolvers: {
      Query: {
        open: () => "open",
        price: () => {
          calls += 1;
          return 1.5;
        },
        either: () => "either",
        secret: () => ({ id: "s1" }),
      },
      Secret: { __resolveReference: (ref: { id: string }) => ref, hint: () => "hint" },
    },
  }),
);

let app: FastifyInstance;
beforeAll(async () => {
  app = await createSubgraphApp({
    name: "scoped",
    schema,
    secret: TEST_SECRET,
    logger: silentLogger(),
    buildContext: (base: SubgraphContext) => base,
  });
});
afterAll(async () => app?.close());

const as = (...scopes: string[]) => ({ identity: testIdentity({ scopes }) });

describe("applyScopeChecks", () => {
  it("refuses a scoped field with FORBIDDEN naming the field and scope, without running its resolver", async () => {
    const before = calls;
    const { status, body } = await signedQuery(app, "{ open price }", as("pipeline:read"));
    expect(status).toBe(200);
    expect(body.data).toEqual({ open: "open", price: null });
    expect(body.errors?.[0]).toMatchObject({
      message: "Query.price needs the scope prices:read",
      path: ["price"],
      extensions: { code: "FORBIDDEN" },
    });
    expect(calls).toBe(before);
  });

  it("lets a caller holding the scope, or any one of several, through", async () => {
    expect((await signedQuery(app, "{ price }", as("prices:read"))).body).toEqual({ data: { price: 1.5 } });
    expect((await signedQuery(app, "{ either }", as("keys:admin"))).body).toEqual({ data: { either: "either" } });
    const refused = await signedQuery(app, "{ either }", as());
    expect(refused.body.errors?.[0]?.message).toBe("Query.either needs one of the scopes pipeline:read, keys:admin");
  });

  it("applies a type's @scopes to its fields, the field's own winning", async () => {
    const admin = await signedQuery(app, "{ secret { id hint } }", as("keys:admin"));
    expect(admin.body.data).toEqual({ secret: { id: "s1", hint: null } });
    expect(admin.body.errors?.[0]?.message).toBe("Secret.hint needs the scope prices:read");
    const reader = await signedQuery(app, "{ secret { hint } }", as("prices:read"));
    expect(reader.body).toEqual({ data: { secret: { hint: "hint" } } });
  });

  it("checks fields reached through _entities, but not _entities or _service themselves", async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Secret { id } } }`;
    const variables = { r: [{ __typename: "Secret", id: "s9" }] };
    const refused = await signedQuery(app, query, { variables, ...as() });
    expect(refused.body.errors?.[0]?.message).toBe("Secret.id needs the scope keys:admin");
    const admin = await signedQuery(app, query, { variables, ...as("keys:admin") });
    expect(admin.body).toEqual({ data: { _entities: [{ id: "s9" }] } });
    const sdl = await signedQuery<{ _service: { sdl: string } }>(app, "{ _service { sdl } }", as());
    expect(sdl.body.data?._service.sdl).toContain("@scopes");
  });
});

describe("scopesDirectiveName", () => {
  const name = (links: string) => scopesDirectiveName(parse(`extend schema ${links}`));

  it("reads the name @scopes is imported as", () => {
    expect(name(`@link(url: "https://pokewatch.dev/scopes/v1.0", import: ["@scopes"])`)).toBe("scopes");
    expect(name(`@link(url: "https://pokewatch.dev/scopes/v1.0", import: [{ name: "@scopes", as: "@needs" }])`)).toBe(
      "needs",
    );
  });

  it("falls back to the link's namespace, then to scopes", () => {
    expect(name(`@link(url: "https://pokewatch.dev/scopes/v1.0", as: "auth")`)).toBe("auth");
    expect(name(`@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])`)).toBe("scopes");
  });
});
