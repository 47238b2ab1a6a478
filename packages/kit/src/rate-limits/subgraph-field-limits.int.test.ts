import { createRequire } from "node:module";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type * as GraphQL from "graphql";
import { parse, type GraphQLSchema } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import type { Redis } from "../redis.js";
import { openRedis } from "../service-runner.js";
import { silentLogger } from "../testing/loggers.js";
import { testIdentity } from "../testing/signed-request.js";
import { startTcpProxy, type TcpProxy } from "../testing/tcp-proxy.js";
import { TEST_REDIS_URL, uniqueName } from "../testing/test-infra.js";
import { FIELD_LIMIT_KEY_PREFIX, fieldLimitKey } from "./field-limit-keys.js";
import { applyFieldLimits } from "./subgraph-field-limits.js";

// buildSubgraphSchema builds with graphql's CommonJS build; vitest would hand this file the ESM one.
const { execute } = createRequire(import.meta.url)("graphql") as typeof GraphQL;

const typeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
  type Query { limited: String @rateLimit(limit: 2, duration: 60) }
`);

const clients: Redis[] = [];
const keyIds: string[] = [];
const proxies: TcpProxy[] = [];
const admin = await openRedis(TEST_REDIS_URL, silentLogger());
afterAll(async () => {
  for (const proxy of proxies) await proxy.dispose();
  await admin!.del(...keyIds.map((keyId) => `${FIELD_LIMIT_KEY_PREFIX}:${fieldLimitKey(keyId, "Query.limited")}`));
  for (const client of [admin!, ...clients]) client.disconnect();
});

/** One subgraph replica: its own schema on its own Redis connection. */
async function replica(url = TEST_REDIS_URL): Promise<GraphQLSchema> {
  const redis = await openRedis(url, silentLogger());
  if (!redis) throw new Error("no TEST_REDIS_URL");
  clients.push(redis);
  return applyFieldLimits(buildSubgraphSchema({ typeDefs, resolvers: { Query: { limited: () => "ok" } } }), { redis });
}

function newKeyId(): string {
  const keyId = uniqueName("key_field_limits");
  keyIds.push(keyId);
  return keyId;
}

const call = (schema: GraphQLSchema, keyId: string, fieldLimitsCounted = false) =>
  execute({
    schema,
    document: parse("{ limited }"),
    contextValue: { identity: testIdentity({ keyId, fieldLimitsCounted }) },
  });

describe("applyFieldLimits on the machine's Redis", () => {
  it("shares one count between replicas, in the counter the gateway uses", async () => {
    const [a, b] = [await replica(), await replica()];
    const keyId = newKeyId();

    expect(await call(a, keyId)).toEqual({ data: { limited: "ok" } });
    expect(await call(b, keyId)).toEqual({ data: { limited: "ok" } });
    const refused = await call(a, keyId);

    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Query.limited" });
    expect((await call(b, keyId)).errors?.[0]?.extensions.code).toBe("RATE_LIMITED");
    const counter = `${FIELD_LIMIT_KEY_PREFIX}:${keyId}:Query.limited`;
    expect(Number(await admin!.get(counter))).toBeGreaterThanOrEqual(2);
    expect(await admin!.ttl(counter)).toBeGreaterThan(0);
  });

  it("leaves the shared counter alone when the gateway already counted the operation", async () => {
    const schema = await replica();
    const keyId = newKeyId();
    for (let i = 0; i < 5; i += 1) expect((await call(schema, keyId, true)).errors).toBeUndefined();
    expect(await admin!.exists(`${FIELD_LIMIT_KEY_PREFIX}:${keyId}:Query.limited`)).toBe(0);
  });

  it("keeps limiting in memory, without failing a call, while Redis is cut", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    proxies.push(proxy);
    const schema = await replica(proxy.url);
    const keyId = newKeyId();
    expect(await call(schema, keyId)).toEqual({ data: { limited: "ok" } });

    await proxy.close();
    // The in-memory insurance counts from zero: two more calls, then the limit again.
    expect(await call(schema, keyId)).toEqual({ data: { limited: "ok" } });
    expect(await call(schema, keyId)).toEqual({ data: { limited: "ok" } });
    const refused = await call(schema, keyId);
    expect(refused.errors?.map((e) => e.extensions.code)).toEqual(["RATE_LIMITED"]);
  });
});
