import {
  createGatewayApp,
  readSupergraphSdl,
  resolveCorsPolicy,
  type GatewayRateLimitOptions,
} from "@pokewatch/gateway";
import { createApiKeyStore, createKeysApp, keysMigrations } from "@pokewatch/keys";
import {
  createDatabase,
  createLocalKeyChanges,
  createLogger,
  listen,
  openRedis,
  runMigrations,
  serveMetrics,
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
  trainFirstModel,
  type PipelineOptions,
} from "@pokewatch/pipeline";
import { createPricingApp, type PricingSettings } from "@pokewatch/pricing";
import { createLocalAdminKey } from "./local-admin-key.js";
import type { StackEnv } from "./stack-env.js";
import { stackOptionsFromEnv } from "./stack-options.js";

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
  const options = stackOptionsFromEnv(env);
  // The pipeline's options go to the service both the first-model run and the app share.
  const { pipelineOptions: envPipelineOptions, ...pipelineAppOptions } = options.pipeline.app;
  const { gateway: gatewayOptions } = options;
  const logger = createLogger({ name: "pokewatch", level: gatewayOptions.logLevel });
  // Refused CORS settings stop the start here, before migrations and a first model's training.
  resolveCorsPolicy(gatewayOptions.app.corsOrigins, gatewayOptions.app.nodeEnv);
  // One database and one Redis for the four (PGlite holds a single connection); the subgraphs'
  // options name the same ones, since they read the same variables.
  const db = givenDb ?? (await createDatabase(options.keys.database));
  const { limits, shutdown } = gatewayOptions.listen;
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
    redis = await openRedis(gatewayOptions.redis.url, logger, gatewayOptions.redis.timeouts);
    const serviceLogger = (name: keyof typeof options) => createLogger({ name, level: options[name].logLevel });
    // One runner for the first-model run and the scheduled ones: the app waits for both on close.
    const pipelineService = createPipelineService({
      db,
      redis,
      dataDir: options.pipeline.app.dataDir,
      logger: serviceLogger("pipeline"),
      ...(catalog && { catalog }),
      // The env's (where prices come from) under the caller's (tests train few trees).
      options: { ...envPipelineOptions, ...pipelineOptions },
    });
    if (options.pipeline.trainOnStart) {
      // Before pricing starts, so that it loads the model at once; a failure is logged, never thrown.
      await trainFirstModel({ service: pipelineService, logger });
    }
    // In one process the subgraphs only need loopback: the gateway is the one public door, and
    // the only one a load balancer watches, so only it waits SHUTDOWN_DELAY_MS. The gateway closes
    // first; the subgraphs then have nothing left in flight.
    const at = ({ listen: own }: { listen: { port: number } }) => ({
      host: "127.0.0.1",
      port: own.port,
      limits,
      shutdown: { ...shutdown, delayMs: 0 },
    });

    const pricingApp = await createPricingApp({
      ...options.pricing.app,
      settings: { ...options.pricing.app.settings, ...pricingOverrides },
      db,
      redis,
      catalog,
      logger: serviceLogger("pricing"),
    });
    const pricing = await listen(pricingApp, at(options.pricing));
    opened.push(pricing);
    const keysLogger = serviceLogger("keys");
    // The keys service tells the gateway of this process about revocations and rotations directly,
    // before the mutation answers: no waiting for Redis, or for the cache to expire without it.
    const localKeyChanges = createLocalKeyChanges();
    const keysApp = await createKeysApp({ ...options.keys.app, db, redis, localKeyChanges, logger: keysLogger });
    const keys = await listen(keysApp, at(options.keys));
    opened.push(keys);
    if (gatewayOptions.app.auth.enabled && options.keys.app.adminKey === undefined && db.kind === "pglite") {
      await createLocalAdminKey(
        createApiKeyStore(db),
        options.keys.database.dataDir,
        keysLogger,
        options.keys.app.adminRateLimitPerMinute,
      );
    }
    const pipelineApp = await createPipelineApp({
      ...pipelineAppOptions,
      db,
      redis,
      service: pipelineService,
      logger: serviceLogger("pipeline"),
    });
    const pipeline = await listen(pipelineApp, at(options.pipeline));
    opened.push(pipeline);

    const subgraphUrls = {
      pricing: `${pricing.url}/graphql`,
      keys: `${keys.url}/graphql`,
      pipeline: `${pipeline.url}/graphql`,
    };
    const { app: gatewayAppOptions } = gatewayOptions;
    const gatewayApp = await createGatewayApp({
      ...gatewayAppOptions,
      supergraphSdl: readSupergraphSdl(gatewayOptions.supergraphPath),
      logger: serviceLogger("gateway"),
      subgraphUrls: { ...subgraphUrls, ...gatewayAppOptions.subgraphUrls },
      redis,
      auth: {
        ...gatewayAppOptions.auth,
        failedAuth: {
          ...gatewayAppOptions.auth.failedAuth,
          ...(failedAuthKeyPrefix !== undefined && { keyPrefix: failedAuthKeyPrefix }),
        },
        redis,
        localKeyChanges,
      },
      rateLimits: { ...gatewayAppOptions.rateLimits, redis, ...rateLimitOverrides },
    });
    const gateway = await listen(gatewayApp, gatewayOptions.listen);
    opened.push(gateway);
    // One internal listener for the process, serving the four services' metrics (each labelled
    // with its service); closed last, so scrapes see the shutdown through.
    const metrics = await serveMetrics({
      apps: [gatewayApp, pricingApp, keysApp, pipelineApp],
      host: gatewayOptions.listen.host,
      port: gatewayOptions.metricsPort,
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
