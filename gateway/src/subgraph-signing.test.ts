import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { createSubgraphApp, listen, signIdentity, type RunningServer, type SubgraphContext } from "@pokewatch/kit";
import { silentLogger, testIdentity } from "@pokewatch/kit/testing";
import { parse, type DocumentNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "./gateway-app.js";

// Two subgraphs named as the real ones, each with a secret of its own: what a compromised pricing
// could do to keys is the point of these tests.
const PRICING = "pricing-own-secret-of-at-least-32-chars";
const KEYS_OLD = "keys-secret-before-rotation-of-32-chars";
const KEYS_NEW = "keys-secret-after-rotation-of-32-chars!";

const pricingTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { price: String }
`);
const keysTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { caller: String }
`);
const resolversOf = (name: string): GraphQLResolverMap<SubgraphContext> => ({
  Query: {
    price: () => `${name} price`,
    caller: (_: unknown, __: unknown, ctx: SubgraphContext) => ctx.identity.keyId ?? "anonymous",
  },
});

async function startSubgraph(name: string, typeDefs: DocumentNode, secret: string, previousSecret?: string) {
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolversOf(name) as GraphQLResolverMap<unknown> });
  const app = await createSubgraphApp({
    name,
    schema,
    secret,
    previousSecret,
    logger: silentLogger(),
    buildContext: (base) => base,
  });
  return listen(app, { host: "127.0.0.1", port: 0 });
}

const composed = composeServices([
  { name: "pricing", url: "http://unused.invalid/graphql", typeDefs: pricingTypeDefs },
  { name: "keys", url: "http://unused.invalid/graphql", typeDefs: keysTypeDefs },
]);
if (composed.errors) throw composed.errors[0];
const supergraphSdl = composed.supergraphSdl;

let pricing: RunningServer;
/** keys while its secret is being rotated: accepts the old and the new one. */
let keysDuring: RunningServer;
/** keys once the rotation is over: the new one only. */
let keysAfter: RunningServer;
const opened: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  pricing = await startSubgraph("pricing", pricingTypeDefs, PRICING);
  keysDuring = await startSubgraph("keys", keysTypeDefs, KEYS_NEW, KEYS_OLD);
  keysAfter = await startSubgraph("keys", keysTypeDefs, KEYS_NEW);
  opened.push(pricing, keysDuring, keysAfter);
});
afterAll(async () => {
  for (const server of opened.reverse()) await server.close();
});

async function gatewayTo(keys: RunningServer, subgraphSecrets: Record<string, string>, secret?: string) {
  const app = await createGatewayApp({
    supergraphSdl,
    secret,
    subgraphSecrets,
    auth: { enabled: false },
    logger: silentLogger(),
    subgraphUrls: { pricing: `${pricing.url}/graphql`, keys: `${keys.url}/graphql` },
  });
  opened.push(app);
  return async (query: string) => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json" },
      payload: { query },
    });
    return response.json<{
      data?: Record<string, unknown>;
      errors?: Array<{ extensions?: Record<string, unknown> }>;
    }>();
  };
}

const BOTH = "{ price caller }";

describe("per-subgraph secrets", () => {
  it("signs each subgraph's requests with its own secret through the real gateway", async () => {
    const ask = await gatewayTo(keysAfter, { pricing: PRICING, keys: KEYS_NEW });
    expect(await ask(BOTH)).toEqual({ data: { price: "pricing price", caller: "anonymous" } });
  });

  it("signs a subgraph without a secret of its own with the shared one", async () => {
    const shared = await startSubgraph("pricing", pricingTypeDefs, KEYS_OLD);
    opened.push(shared);
    const app = await createGatewayApp({
      supergraphSdl,
      secret: KEYS_OLD,
      subgraphSecrets: { keys: KEYS_NEW },
      auth: { enabled: false },
      logger: silentLogger(),
      subgraphUrls: { pricing: `${shared.url}/graphql`, keys: `${keysAfter.url}/graphql` },
    });
    opened.push(app);
    const response = await app.inject({ method: "POST", url: "/graphql", payload: { query: BOTH } });
    expect(response.json()).toEqual({ data: { price: "pricing price", caller: "anonymous" } });
  });

  it("refuses an admin identity signed for keys with pricing's secret (a compromised pricing)", async () => {
    const body = JSON.stringify({ query: "{ caller }" });
    const forged = signIdentity(testIdentity({ keyId: "key_admin", scopes: ["keys:admin"] }), PRICING, {
      audience: "keys",
      method: "POST",
      path: "/graphql",
      body,
    });
    const response = await fetch(`${keysAfter.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...forged },
      body,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }],
    });
  });

  it("answers SERVICE_UNAVAILABLE for keys alone when the gateway signs it with pricing's secret", async () => {
    const ask = await gatewayTo(keysAfter, { pricing: PRICING, keys: PRICING });
    const body = await ask(BOTH);
    expect(body.data).toEqual({ price: "pricing price", caller: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", serviceName: "keys" });
  });
});

describe("rotating a subgraph's secret without downtime", () => {
  it("serves gateways on the old and the new secret during the change, and only the new one after", async () => {
    const oldGatewayDuring = await gatewayTo(keysDuring, { pricing: PRICING, keys: KEYS_OLD });
    const newGatewayDuring = await gatewayTo(keysDuring, { pricing: PRICING, keys: KEYS_NEW });
    expect((await oldGatewayDuring(BOTH)).data).toEqual({ price: "pricing price", caller: "anonymous" });
    expect((await newGatewayDuring(BOTH)).data).toEqual({ price: "pricing price", caller: "anonymous" });

    const oldGatewayAfter = await gatewayTo(keysAfter, { pricing: PRICING, keys: KEYS_OLD });
    const newGatewayAfter = await gatewayTo(keysAfter, { pricing: PRICING, keys: KEYS_NEW });
    const refused = await oldGatewayAfter(BOTH);
    expect(refused.data).toEqual({ price: "pricing price", caller: null });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", serviceName: "keys" });
    expect((await newGatewayAfter(BOTH)).data).toEqual({ price: "pricing price", caller: "anonymous" });
  });
});

describe("a subgraph with no secret at all", () => {
  it("is refused at start-up, naming the variables to set", async () => {
    await expect(
      createGatewayApp({
        supergraphSdl,
        subgraphSecrets: { pricing: PRICING },
        auth: { enabled: false },
        logger: silentLogger(),
      }),
    ).rejects.toThrow(/no secret to sign subgraph keys's requests: set SUBGRAPH_SECRET or SUBGRAPH_SECRET_KEYS/);
  });
});
