import {
  createLogger,
  listen,
  loadEnv,
  openRedis,
  redisTimeoutsOf,
  runService,
  serveMetrics,
  serverOptionsOf,
  shutdownDeadlineMs,
} from "@pokewatch/kit";
import { gatewayEnvSchema, operationLimitsOf, subgraphSigningSecrets, subgraphUrlOverrides } from "./env.js";
import { createGatewayApp } from "./gateway-app.js";
import { readSupergraphSdl } from "./supergraph.js";

const env = loadEnv(gatewayEnvSchema);
const logger = createLogger({ name: "gateway", level: env.LOG_LEVEL });
const server = serverOptionsOf(env);
await runService(
  logger,
  async () => {
    const redis = await openRedis(env.REDIS_URL, logger, redisTimeoutsOf(env));
    const app = await createGatewayApp({
      supergraphSdl: readSupergraphSdl(env.SUPERGRAPH_PATH),
      secret: env.SUBGRAPH_SECRET,
      subgraphSecrets: subgraphSigningSecrets(env),
      logger,
      subgraphUrls: subgraphUrlOverrides(env),
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
        failedAuth: { perMinute: env.AUTH_FAILURES_PER_MINUTE },
        redis,
        keysServiceTimeoutMs: env.KEYS_SERVICE_TIMEOUT_MS,
        usageFlushIntervalMs: env.KEY_USAGE_FLUSH_INTERVAL_MS,
      },
      rateLimits: { burst: env.RATE_LIMIT_BURST, redis },
      operationLimits: operationLimitsOf(env),
    });
    const running = await listen(app, { host: env.HOST, port: env.GATEWAY_PORT, ...server });
    logger.info({ url: `${running.url}/graphql`, auth: env.AUTH_ENABLED }, "gateway listening");
    const metrics = await serveMetrics({
      apps: [app],
      host: env.HOST,
      port: env.METRICS_PORT,
      logger,
      limits: server.limits,
    });
    return async () => {
      // Drains requests in flight, then flushes key usage (the app's onClose), then lets Redis go.
      await running.close();
      await metrics?.close();
      redis?.disconnect();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(server.shutdown) },
);
