import { createLogger, listen, loadEnv, openRedis, runService } from "@pokewatch/kit";
import { pricingEnvSchema } from "./env.js";
import { createPricingApp } from "./pricing-app.js";

const env = loadEnv(pricingEnvSchema);
const logger = createLogger({ name: "pricing", level: env.LOG_LEVEL });
await runService(logger, async () => {
  const redis = await openRedis(env.REDIS_URL, logger);
  const app = await createPricingApp({ secret: env.SUBGRAPH_SECRET, logger, maxBodyBytes: env.MAX_BODY_BYTES, redis });
  const server = await listen(app, { host: env.HOST, port: env.PRICING_PORT });
  logger.info({ url: `${server.url}/graphql`, redis: redis !== undefined }, "pricing subgraph listening");
  return async () => {
    await server.close();
    redis?.disconnect();
  };
});
