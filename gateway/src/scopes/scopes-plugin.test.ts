import { composeServices } from "@apollo/composition";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type GraphQLRequestContextDidResolveOperation } from "@apollo/server";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import {
  anonymousIdentity,
  createHttpApp,
  createSubgraphApp,
  listen,
  type RunningServer,
  type SubgraphContext,
} from "@pokewatch/kit";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GatewayContext } from "../context.js";
import { graphql } from "../operation/graphql-instance.js";
import { SignedDataSource } from "../signed-data-source.js";
import { scopesPlugin } from "./scopes-plugin.js";

const typeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://pokewatch.dev/scopes/v1.0", import: ["@scopes"])
    @composeDirective(name: "@scopes")
  directive @scopes(anyOf: [String!]!) on FIELD_DEFINITION | OBJECT
  type Query {
    open: String
    price(id: ID!): Float @scopes(anyOf: ["prices:read"])
    node: Node
  }
  interface Node { id: ID! }
  type Item implements Node { id: ID!, name: String, secret: String @scopes(anyOf: ["keys:admin", "pipeline:write"]) }
  type Other implements Node { id: ID! }
`);
let resolverCalls = 0;
let subgraphRequests = 0;
const resolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    open: () => (resolverCalls++, "open"),
    price: () => (resolverCalls++, 1.5),
    node: () => (resolverCalls++, { __typename: "Item", id: "i1", name: "item", secret: "s" }),
  },
};

let subgraph: RunningServer;
let gateway: RunningServer;

beforeAll(async () => {
  const app = await createSubgraphApp({
    name: "vault",
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    secret: TEST_SECRET,
    logger: silentLogger(),
    buildContext: (base) => base,
  });
  app.addHook("onRequest", (_request, _reply, done) => {
    subgraphRequests += 1;
    done();
  });
  subgraph = await listen(app, { host: "127.0.0.1", port: 0 });

  const composed = composeServices([{ name: "vault", url: `${subgraph.url}/graphql`, typeDefs }]);
  if (composed.errors) throw composed.errors[0];
  const logger = silentLogger();
  const apollo = new ApolloServer<GatewayContext>({
    gateway: new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      logger,
      buildService: ({ name, url }) => new SignedDataSource({ name, url: url!, secret: TEST_SECRET, logger }),
    }),
    plugins: [scopesPlugin(logger)],
  });
  await apollo.start();
  const edge = createHttpApp({ logger });
  edge.addHook("onClose", async () => apollo.stop());
  const handler = fastifyApolloHandler(apollo, {
    // Test only: the caller's scopes come from a header instead of an API key.
    context: (request) => {
      const scopes = String(request.headers["x-test-scopes"] ?? "")
        .split(",")
        .filter(Boolean);
      return Promise.resolve({ identity: { ...anonymousIdentity(request.id), scopes }, requestId: request.id, logger });
    },
  });
  edge.route({ method: "POST", url: "/graphql", handler });
  gateway = await listen(edge, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});
beforeEach(() => {
  resolverCalls = 0;
  subgraphRequests = 0;
});

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function post(query: string, scopes: string[] = [], variables?: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-test-scopes": scopes.join(",") },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("scopesPlugin through a real gateway", () => {
  it("answers 403 FORBIDDEN naming the field and scope, and calls no subgraph", async () => {
    const { status, body } = await post(`{ open price(id: "sv3pt5-6") }`, ["pipeline:read"]);
    expect(status).toBe(403);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "Query.price needs the scope prices:read",
        extensions: { code: "FORBIDDEN", requiredScopes: ["prices:read"], field: "Query.price" },
      },
    ]);
    expect(subgraphRequests).toBe(0);
    expect(resolverCalls).toBe(0);
  });

  it("answers a caller holding the scope, or one of several", async () => {
    expect(await post(`{ price(id: "sv3pt5-6") }`, ["prices:read"])).toEqual({
      status: 200,
      body: { data: { price: 1.5 } },
    });
    const either = await post(`{ node { ... on Item { secret } } }`, ["pipeline:write"]);
    expect(either.body).toEqual({ data: { node: { secret: "s" } } });
    expect(subgraphRequests).toBe(2);
  });

  it("leaves fields without a rule alone", async () => {
    expect((await post(`{ open node { id } }`)).body).toEqual({ data: { open: "open", node: { id: "i1" } } });
  });

  it("holds through aliases, named fragments and fragments on an interface", async () => {
    for (const query of [
      `{ cheap: price(id: "a") }`,
      `query { ...Prices } fragment Prices on Query { price(id: "a") }`,
      `{ node { id ...ItemBits } } fragment ItemBits on Item { name hidden: secret }`,
    ]) {
      const { status, body } = await post(query, ["prices:read:not-quite"]);
      expect(status, query).toBe(403);
      expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const viaInterface = await post(`{ node { ... on Item { secret } } }`);
    expect(viaInterface.body.errors?.[0]?.message).toBe(
      "Item.secret needs one of the scopes keys:admin, pipeline:write",
    );
    expect(subgraphRequests).toBe(0);
  });

  it("does not check a field @skip or @include leaves out, with literals or variables", async () => {
    expect((await post(`{ open price(id: "a") @skip(if: true) }`)).body).toEqual({ data: { open: "open" } });
    const query = `query ($show: Boolean!) { open price(id: "a") @include(if: $show) }`;
    expect((await post(query, [], { show: false })).body).toEqual({ data: { open: "open" } });
    expect((await post(query, [], { show: true })).status).toBe(403);
  });

  it("leaves bad variables to the gateway's own refusal, still calling no subgraph", async () => {
    const { body } = await post(`query ($id: ID!) { price(id: $id) }`, [], {});
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(subgraphRequests).toBe(0);
  });
});

describe("scopesPlugin: rules follow the loaded supergraph", () => {
  const apiSchema = graphql.buildSchema(`type Query { price: Float, open: String }`);
  const supergraphWith = (directive: string) => `
    schema @link(url: "https://pokewatch.dev/scopes/v1.0", import: ["@scopes"]) { query: Query }
    type Query { price: Float ${directive}, open: String }
  `;

  async function check(plugin: ReturnType<typeof scopesPlugin>, query: string, scopes: string[]) {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const listener = await plugin.requestDidStart?.({} as never);
    const context = { identity: { ...anonymousIdentity("r1"), scopes }, requestId: "r1", logger: silentLogger() };
    const requestContext = { schema: apiSchema, operation, document, request: {}, contextValue: context };
    return listener?.didResolveOperation?.(
      requestContext as unknown as GraphQLRequestContextDidResolveOperation<GatewayContext>,
    );
  }

  it("rebuilds the rules on every schemaDidLoadOrUpdate", async () => {
    const plugin = scopesPlugin(silentLogger());
    const started = await plugin.serverWillStart?.({} as never);
    started?.schemaDidLoadOrUpdate?.({
      apiSchema,
      coreSupergraphSdl: supergraphWith(`@scopes(anyOf: ["prices:read"])`),
    });
    await expect(check(plugin, "{ price }", [])).rejects.toMatchObject({
      extensions: { code: "FORBIDDEN", field: "Query.price", http: { status: 403 } },
    });
    await expect(check(plugin, "{ open }", [])).resolves.toBeUndefined();

    started?.schemaDidLoadOrUpdate?.({
      apiSchema,
      coreSupergraphSdl: supergraphWith(`@scopes(anyOf: ["keys:admin"])`),
    });
    await expect(check(plugin, "{ price }", ["prices:read"])).rejects.toMatchObject({
      message: "Query.price needs the scope keys:admin",
    });
    started?.schemaDidLoadOrUpdate?.({ apiSchema, coreSupergraphSdl: supergraphWith("") });
    await expect(check(plugin, "{ price }", [])).resolves.toBeUndefined();
  });
});
