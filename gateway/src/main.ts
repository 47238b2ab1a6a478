import { createLogger, listen, loadEnv, openRedis, runService } from "@pokewatch/kit";
import { gatewayEnvSchema, subgraphUrlOverrides } from "./env.js";
import { createGatewayApp } from "./gateway-app.js";
import { readSupergraphSdl } from "./supergraph.js";

const env = loadEnv(gatewayEnvSchema);
const logger = createLogger({ name: "gateway", level: env.LOG_LEVEL });
await runService(logger, async () => {
  const redis = await openRedis(env.REDIS_URL, logger);
  const app = await createGatewayApp({
    supergraphSdl: readSupergraphSdl(env.SUPERGRAPH_PATH),
    secret: env.SUBGRAPH_SECRET,
    logger,
    subgraphUrls: subgraphUrlOverrides(env),
    corsOrigins: env.CORS_ORIGINS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    nodeEnv: env.NODE_ENV,
    auth: { enabled: env.AUTH_ENABLED, cacheTtlMs: env.AUTH_CACHE_TTL_SECONDS * 1000, redis },
    rateLimits: { burst: env.RATE_LIMIT_BURST, redis },
  });
  const server = await listen(app, { host: env.HOST, port: env.GATEWAY_PORT });
  logger.info({ url: `${server.url}/graphql`, auth: env.AUTH_ENABLED }, "gateway listening");
  return async () => {
    await server.close();
    redis?.disconnect();
  };
});
