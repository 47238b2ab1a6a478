import { createLogger, listen, loadEnv, openRedis, runService, serveMetrics, shutdownDeadlineMs } from "@pokewatch/kit";
import { gatewayEnvSchema } from "./env.js";
import { createGatewayApp } from "./gateway-app.js";
import { gatewayOptionsFromEnv } from "./gateway-options-from-env.js";
import { readSupergraphSdl } from "./supergraph.js";

const options = gatewayOptionsFromEnv(loadEnv(gatewayEnvSchema));
const logger = createLogger({ name: "gateway", level: options.logLevel });
await runService(
  logger,
  async () => {
    const redis = await openRedis(options.redis.url, logger, options.redis.timeouts);
    const app = await createGatewayApp({
      ...options.app,
      supergraphSdl: readSupergraphSdl(options.supergraphPath),
      logger,
      redis,
      auth: { ...options.app.auth, redis },
      rateLimits: { ...options.app.rateLimits, redis },
    });
    const running = await listen(app, options.listen);
    logger.info({ url: `${running.url}/graphql`, auth: options.app.auth.enabled }, "gateway listening");
    const metrics = await serveMetrics({
      apps: [app],
      host: options.listen.host,
      port: options.metricsPort,
      logger,
      limits: options.listen.limits,
    });
    return async () => {
      // Drains requests in flight, then flushes key usage (the app's onClose), then lets Redis go.
      await running.close();
      await metrics?.close();
      redis?.disconnect();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(options.listen.shutdown) },
);
