import { randomBytes } from "node:crypto";
import {
  createGatewayApp,
  readSupergraphSdl,
  operationLimitsOf,
  resolveCorsPolicy,
  subgraphUrlOverrides,
  type GatewayRateLimitOptions,
} from "@pokewatch/gateway";
import { createApiKeyStore, createKeysApp, keysMigrations, keysSettingsFromEnv } from "@pokewatch/keys";
import {
  createDatabase,
  createLocalKeyChanges,
  createLogger,
  databaseTimeoutsOf,
  listen,
  openRedis,
  redisTimeoutsOf,
  runMigrations,
  serveMetrics,
  serverOptionsOf,
  subgraphSecretOf,
  type SubgraphName,
  type Database,
  type Redis,
  type RunningServer,
} from "@pokewatch/kit";
import { marketMigrations, type Catalog } from "@pokewatch/market";
import { migrateModelRegistry } from "@pokewatch/model";
import {
  createPipelineApp,
  createPipelineService,
  pipelineMigrations,
  type PipelineOptions,
} from "@pokewatch/pipeline";
import { createPricingApp, pricingSettingsFromEnv, type PricingSettings } from "@pokewatch/pricing";
import { trainFirstModel } from "./first-model.js";
import { createLocalAdminKey } from "./local-admin-key.js";
import type { StackEnv } from "./stack-env.js";

export interface RunningStack {
  gatewayUrl: string;
  subgraphUrls: { pricing: string; keys: string; pipeline: string };
  database: Database["kind"];
  redis: boolean;
  /** `…/metrics` of all four services, when METRICS_PORT is set. */
  metricsUrl?: string;
  close(): Promise<void>;
}

export interface StartStackOptions {
  env: StackEnv;
  /** A database to use instead of opening one from the env (tests pass an isolated one). */
  db?: Database;
  /** The card catalog pricing serves and the pipeline trains on (benchmarks and tests pass a smaller one). @default the bundled catalog */
  catalog?: Catalog;
  /** Pricing settings over the env's (benchmarks compare micro-batching on and off). */
  pricing?: Partial<PricingSettings>;
  /** Rate-limit settings over the env's (the serving benchmarks measure with limits off). */
  rateLimits?: Partial<GatewayRateLimitOptions>;
  /** Pipeline options over the defaults, for the first-model run and the scheduled ones (tests train few trees). */
  pipeline?: Partial<PipelineOptions>;
  /** Where the failed-auth buckets live in Redis (tests count under a prefix of their own). @default "pokewatch:auth-failures:" */
  failedAuthKeyPrefix?: string;
}

/**
 * All four services in one process: the three subgraphs, then the gateway pointed at the ports
 * they actually got, sharing one database (PGlite holds a single connection) and one Redis. With
 * PIPELINE_TRAIN_ON_START and an empty registry, the pipeline first trains a model (waited for).
 */
export async function startStack({
  env,
  db: givenDb,
  catalog,
  pricing: pricingOverrides,
  rateLimits: rateLimitOverrides,
  pipeline: pipelineOptions,
  failedAuthKeyPrefix,
}: StartStackOptions): Promise<RunningStack> {
  const logger = createLogger({ name: "pokewatch", level: env.LOG_LEVEL });
  // Refused CORS settings stop the start here, before migrations and a first model's training.
  resolveCorsPolicy(env.CORS_ORIGINS, env.NODE_ENV);
  // Unset, each subgraph gets a random secret of its own: none can sign for another.
  const secretOf = (name: SubgraphName) => {
    const secret = subgraphSecretOf(env, name) ?? { current: randomBytes(32).toString("base64url") };
    return { secret: secret.current, previousSecret: secret.previous };
  };
  const secrets = { pricing: secretOf("pricing"), keys: secretOf("keys"), pipeline: secretOf("pipeline") };
  const db =
    givenDb ??
    (await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, timeouts: databaseTimeoutsOf(env) }));
  const { limits, shutdown } = serverOptionsOf(env);
  const opened: RunningServer[] = [];
  let redis: Redis | undefined;
  const close = async () => {
    for (const server of opened.reverse()) await server.close();
    redis?.disconnect();
    if (!givenDb) await db.close();
  };
  try {
    await runMigrations(db, "keys", keysMigrations());
    // The model registry's first migration takes over tables an early pipeline version made: first.
    await migrateModelRegistry(db, { dataDir: env.DATA_DIR, logger });
    await runMigrations(db, "market", marketMigrations());
    await runMigrations(db, "pipeline", pipelineMigrations());
    redis = await openRedis(env.REDIS_URL, logger, redisTimeoutsOf(env));
    const common = {
      maxBodyBytes: env.MAX_BODY_BYTES,
      behindTls: env.BEHIND_TLS,
      redis,
    };
    const serviceLogger = (name: string) => createLogger({ name, level: env.LOG_LEVEL });
    // One runner for the first-model run and the scheduled ones: the app waits for both on close.
    const pipelineService = createPipelineService({
      db,
      redis,
      dataDir: env.DATA_DIR,
      logger: serviceLogger("pipeline"),
      ...(catalog && { catalog }),
      ...(pipelineOptions && { options: pipelineOptions }),
    });
    if (env.PIPELINE_TRAIN_ON_START) {
      // Before pricing starts, so that it loads the model at once; a failure is logged, never thrown.
      await trainFirstModel({ service: pipelineService, logger });
    }
    // In one process the subgraphs only need loopback: the gateway is the one public door, and
    // the only one a load balancer watches, so only it waits SHUTDOWN_DELAY_MS. The gateway closes
    // first; the subgraphs then have nothing left in flight.
    const at = (port: number) => ({ host: "127.0.0.1", port, limits, shutdown: { ...shutdown, delayMs: 0 } });

    const pricingApp = await createPricingApp({
      ...common,
      ...secrets.pricing,
      db,
      catalog,
      redisUrl: env.REDIS_URL,
      settings: { ...pricingSettingsFromEnv(env), ...pricingOverrides },
      logger: serviceLogger("pricing"),
    });
    const pricing = await listen(pricingApp, at(env.PRICING_PORT));
    opened.push(pricing);
    const keysLogger = serviceLogger("keys");
    // The keys service tells the gateway of this process about revocations and rotations directly,
    // before the mutation answers: no waiting for Redis, or for the cache to expire without it.
    const localKeyChanges = createLocalKeyChanges();
    const keysApp = await createKeysApp({
      ...common,
      ...secrets.keys,
      db,
      ...keysSettingsFromEnv(env),
      localKeyChanges,
      logger: keysLogger,
    });
    const keys = await listen(keysApp, at(env.KEYS_PORT));
    opened.push(keys);
    if (env.AUTH_ENABLED && env.POKEWATCH_ADMIN_KEY === undefined && db.kind === "pglite") {
      await createLocalAdminKey(createApiKeyStore(db), env.DATA_DIR, keysLogger, env.ADMIN_RATE_LIMIT_RPM);
    }
    const pipelineApp = await createPipelineApp({
      ...common,
      ...secrets.pipeline,
      db,
      cron: env.PIPELINE_CRON,
      dataDir: env.DATA_DIR,
      service: pipelineService,
      logger: serviceLogger("pipeline"),
    });
    const pipeline = await listen(pipelineApp, at(env.PIPELINE_PORT));
    opened.push(pipeline);

    const subgraphUrls = {
      pricing: `${pricing.url}/graphql`,
      keys: `${keys.url}/graphql`,
      pipeline: `${pipeline.url}/graphql`,
    };
    const gatewayApp = await createGatewayApp({
      supergraphSdl: readSupergraphSdl(env.SUPERGRAPH_PATH),
      secret: env.SUBGRAPH_SECRET,
      subgraphSecrets: {
        pricing: secrets.pricing.secret,
        keys: secrets.keys.secret,
        pipeline: secrets.pipeline.secret,
      },
      logger: serviceLogger("gateway"),
      subgraphUrls: { ...subgraphUrls, ...subgraphUrlOverrides(env) },
      corsOrigins: env.CORS_ORIGINS,
      behindTls: env.BEHIND_TLS,
      redis,
      maxBodyBytes: env.MAX_BODY_BYTES,
      subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      nodeEnv: env.NODE_ENV,
      trustProxy: env.TRUST_PROXY,
      auth: {
        enabled: env.AUTH_ENABLED,
        cacheTtlMs: env.AUTH_CACHE_TTL_SECONDS * 1000,
        unannouncedTtlMs: env.AUTH_CACHE_UNANNOUNCED_TTL_MS,
        failedAuth: {
          perMinute: env.AUTH_FAILURES_PER_MINUTE,
          ...(failedAuthKeyPrefix !== undefined && { keyPrefix: failedAuthKeyPrefix }),
        },
        redis,
        localKeyChanges,
        keysServiceTimeoutMs: env.KEYS_SERVICE_TIMEOUT_MS,
        usageFlushIntervalMs: env.KEY_USAGE_FLUSH_INTERVAL_MS,
      },
      rateLimits: { burst: env.RATE_LIMIT_BURST, redis, ...rateLimitOverrides },
      operationLimits: operationLimitsOf(env),
    });
    const gateway = await listen(gatewayApp, { host: env.HOST, port: env.GATEWAY_PORT, limits, shutdown });
    opened.push(gateway);
    // One internal listener for the process, serving the four services' metrics (each labelled
    // with its service); closed last, so scrapes see the shutdown through.
    const metrics = await serveMetrics({
      apps: [gatewayApp, pricingApp, keysApp, pipelineApp],
      host: env.HOST,
      port: env.METRICS_PORT,
      logger,
      limits,
    });
    if (metrics) opened.unshift(metrics);
    return {
      gatewayUrl: `${gateway.url}/graphql`,
      subgraphUrls,
      database: db.kind,
      redis: redis !== undefined,
      ...(metrics && { metricsUrl: `${metrics.url}/metrics` }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
