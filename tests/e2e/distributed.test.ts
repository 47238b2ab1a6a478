import { randomBytes } from "node:crypto";
import { runMigrations } from "@pokewatch/kit";
import {
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  createIsolatedPostgres,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { createPriceStore, marketMigrations } from "@pokewatch/market";
import { createModelRegistry, modelMigrations, type ModelVersion } from "@pokewatch/model";
import { fixedRatioModelVersion, syntheticSeries } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  composeEntry,
  composeEnvironment,
  freePort,
  startServiceProcess,
  type AppService,
  type ServiceProcess,
} from "./service-processes.js";
import {
  TEST_ADMIN_KEY,
  clearAdminKeyLimits,
  msUntilStatus,
  postGraphQL,
  type GraphQLResult,
} from "./stack-fixture.js";

// PokeWatch as its users deploy it (docker-compose.yml, ops/k8s): every service its own OS process,
// started with the command and the environment compose gives it, on PostgreSQL + Redis, with two
// gateways and two pricing replicas. Gateway A routes pricing to replica 1, gateway B to replica 2
// (PRICING_URL), so anything one gateway does must reach the other through PostgreSQL or Redis.

const CARD = "sv3pt5-6";
const DATE = "2025-03-01";
const PROMOTION_WITHIN_MS = 5_000;
const REVOCATION_WITHIN_MS = 1_000;
const asKey = (secret: string) => ({ "x-api-key": secret });

/** Pricing (card, fair price), pipeline (the model's version and stage) and keys (viewer) at once. */
const JOIN_QUERY = `{
  card(id: "${CARD}") { name fairPrice(date: "${DATE}") { fairPrice marketPrice model { id version stage } } }
  viewer { key { id } }
  schedules { cron }
}`;

interface JoinAnswer {
  card: {
    name: string;
    fairPrice: { fairPrice: number; marketPrice: number; model: { id: string; version: number; stage: string } };
  };
  viewer: { key: { id: string } };
  schedules: { cron: string }[];
}

let postgres: IsolatedPostgres;
let first: ModelVersion;
let second: ModelVersion;
const services: ServiceProcess[] = [];
let gateways: [ServiceProcess, ServiceProcess];
let pricing: [ServiceProcess, ServiceProcess];

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  await runMigrations(postgres.db, "market", marketMigrations());
  await runMigrations(postgres.db, "model", modelMigrations());
  const [series] = syntheticSeries(1, 90, 5, "2025-01-01");
  await createPriceStore(postgres.db).upsert(series!.points.map((point) => ({ ...point, cardId: CARD })));
  // A production model before anything starts (so the pipeline does not train one), and a candidate.
  const registry = createModelRegistry({ db: postgres.db });
  first = await registry.register(fixedRatioModelVersion(Math.log(1.25)), { stage: "PRODUCTION" });
  second = await registry.register(fixedRatioModelVersion(Math.log(0.8)));
  await clearAdminKeyLimits(TEST_REDIS_URL);

  // What an operator's .env holds (compose interpolates it); everything else is compose's own.
  const dotEnv = { SUBGRAPH_SECRET: randomBytes(32).toString("base64url"), POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY };
  const databaseUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${postgres.schema}`)}`;
  const start = async (service: AppService, name: string, env: Record<string, string> = {}) => {
    const port = await freePort();
    const composed = composeEnvironment(service, dotEnv);
    const replaced: Record<string, string> = {
      HOST: "127.0.0.1",
      REDIS_URL: TEST_REDIS_URL,
      [`${service.toUpperCase()}_PORT`]: String(port),
      METRICS_PORT: String(await freePort()),
      ...("DATABASE_URL" in composed ? { DATABASE_URL: databaseUrl } : {}),
    };
    const started = await startServiceProcess({
      name,
      entry: composeEntry(service),
      env: { ...composed, ...replaced, ...env },
      port,
    });
    services.push(started);
    return started;
  };

  const [keys, pipeline, pricing1, pricing2] = await Promise.all([
    start("keys", "keys"),
    start("pipeline", "pipeline"),
    start("pricing", "pricing-1"),
    start("pricing", "pricing-2"),
  ]);
  pricing = [pricing1, pricing2];
  // Compose's gateway routes by service name (schema/supergraph.docker.graphql); here each
  // gateway is pointed at its replica, as a Kubernetes Service would pick one.
  const gatewayEnv = (replica: ServiceProcess) => ({
    KEYS_URL: `${keys.origin}/graphql`,
    PIPELINE_URL: `${pipeline.origin}/graphql`,
    PRICING_URL: `${replica.origin}/graphql`,
    // Every test on this machine sends from 127.0.0.1 and on Redis shares that address' bucket.
    AUTH_FAILURES_PER_MINUTE: "100000",
  });
  gateways = await Promise.all([
    start("gateway", "gateway-a", gatewayEnv(pricing1)),
    start("gateway", "gateway-b", gatewayEnv(pricing2)),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await postgres?.drop();
}, 60_000);

const graphql = (gateway: ServiceProcess, query: string, headers: Record<string, string> = {}) =>
  postGraphQL(`${gateway.origin}/graphql`, query, headers);

function joinAnswer(result: GraphQLResult, gateway: ServiceProcess): JoinAnswer {
  if (result.body.errors) throw new Error(`${gateway.name}: ${JSON.stringify(result.body.errors)}`);
  return result.body.data as unknown as JoinAnswer;
}

async function createKey(gateway: ServiceProcess, name: string): Promise<{ id: string; secret: string }> {
  const { body } = await graphql(
    gateway,
    `mutation { createApiKey(input: { name: "${name}", scopes: ["prices:read"], rateLimitPerMinute: 6000 }) {
      apiKey { id } secret } }`,
  );
  const created = (body.data as { createApiKey: { apiKey: { id: string }; secret: string } } | null)?.createApiKey;
  if (!created) throw new Error(`createApiKey: ${JSON.stringify(body.errors)}`);
  return { id: created.apiKey.id, secret: created.secret };
}

describe("the services as separate processes on PostgreSQL + Redis (2 gateways, 2 pricing)", () => {
  it("answers a query joining all three subgraphs through each gateway", async () => {
    for (const gateway of gateways) {
      const answer = joinAnswer(await graphql(gateway, JOIN_QUERY), gateway);
      expect(answer).toMatchObject({
        card: { name: expect.any(String), fairPrice: { model: { id: first.id, version: 1, stage: "PRODUCTION" } } },
        viewer: { key: { id: "key_admin" } },
        schedules: [{ cron: "0 3 * * *" }],
      });
      const { fairPrice, marketPrice } = answer.card.fairPrice;
      expect(fairPrice).toBeCloseTo(marketPrice * 1.25, 3);
    }
  });

  it(`carries a promotion made through one gateway to both pricing replicas within ${PROMOTION_WITHIN_MS / 1000} s`, async () => {
    const { body } = await graphql(gateways[0], `mutation { promoteModel(id: "${second.id}") { id stage } }`);
    expect(body.data).toEqual({ promoteModel: { id: second.id, stage: "PRODUCTION" } });
    const promotedAt = performance.now();
    const arrivals = await Promise.all(
      gateways.map(async (gateway) => {
        for (;;) {
          const answer = joinAnswer(await graphql(gateway, JOIN_QUERY), gateway);
          if (answer.card.fairPrice.model.id === second.id) {
            const { fairPrice, marketPrice } = answer.card.fairPrice;
            expect(fairPrice).toBeCloseTo(marketPrice * 0.8, 3);
            return performance.now() - promotedAt;
          }
          if (performance.now() - promotedAt > PROMOTION_WITHIN_MS) return Number.POSITIVE_INFINITY;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }),
    );
    process.stdout.write(
      `distributed promotion: served by gateway A after ${arrivals.map(Math.round).join(" ms, B after ")} ms\n`,
    );
    for (const ms of arrivals) expect(ms).toBeLessThan(PROMOTION_WITHIN_MS);
  });

  it(`refuses a key revoked through one gateway on the other within ${REVOCATION_WITHIN_MS / 1000} s`, async () => {
    const [a, b] = gateways;
    const { id, secret } = await createKey(a, "distributed-revocation");
    const query = "{ viewer { authenticated } }";
    // Verified and cached by gateway B.
    expect((await graphql(b, query, asKey(secret))).status).toBe(200);
    expect((await graphql(b, query, asKey(secret))).status).toBe(200);
    const revoked = await graphql(a, `mutation { revokeApiKey(id: "${id}") { status } }`);
    expect(revoked.body.data).toEqual({ revokeApiKey: { status: "REVOKED" } });
    const ms = await msUntilStatus(() => graphql(b, query, asKey(secret)), 401, REVOCATION_WITHIN_MS);
    process.stdout.write(`distributed revocation: refused by gateway B ${Math.round(ms)} ms after gateway A revoked\n`);
    expect(ms).toBeLessThan(REVOCATION_WITHIN_MS);
    const refused = await graphql(b, query, asKey(secret));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("holds a field limit counted on one gateway on the other (fairPrices: 30 a minute per key)", async () => {
    const [a, b] = gateways;
    const { secret } = await createKey(a, "distributed-field-limit");
    const fairPrices = `{ fairPrices(requests: [{ cardId: "${CARD}", date: "${DATE}" }]) { fairPrice } }`;
    for (let call = 0; call < 30; call++) {
      const { body } = await graphql(a, fairPrices, asKey(secret));
      expect(body.errors, `call ${call + 1} through gateway A`).toBeUndefined();
    }
    for (const gateway of [b, a]) {
      const { status, body } = await graphql(gateway, fairPrices, asKey(secret));
      expect(status, gateway.name).toBe(429);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Query.fairPrices" });
    }
  });

  it("answers SERVICE_UNAVAILABLE for pricing's fields while it is down, the rest still answers, and prices again once it is back", async () => {
    await Promise.all(pricing.map((replica) => replica.stop()));
    for (const gateway of gateways) {
      const { status, body } = await graphql(gateway, JOIN_QUERY);
      expect(status, gateway.name).toBe(200);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(body.errors?.[0]?.extensions?.serviceName).toBe("pricing");
      expect(body.data).toMatchObject({
        card: null,
        viewer: { key: { id: "key_admin" } },
        schedules: [{ cron: "0 3 * * *" }],
      });
    }
    // The same command and port again; the gateways are not restarted.
    await Promise.all(pricing.map((replica) => replica.restart()));
    for (const gateway of gateways) {
      const answer = joinAnswer(await graphql(gateway, JOIN_QUERY), gateway);
      expect(answer.card.fairPrice.model.id).toBe(second.id);
    }
  }, 120_000);
});
