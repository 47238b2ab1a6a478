import { closeOnSignal, createLogger, listen, loadEnv } from "@pokewatch/kit";
import { pricingEnvSchema } from "./env.js";
import { createPricingApp } from "./pricing-app.js";

const env = loadEnv(pricingEnvSchema);
const logger = createLogger({ name: "pricing", level: env.LOG_LEVEL });
const app = await createPricingApp({ secret: env.SUBGRAPH_SECRET, logger, maxBodyBytes: env.MAX_BODY_BYTES });
const server = await listen(app, { host: env.HOST, port: env.PRICING_PORT });
logger.info({ url: `${server.url}/graphql` }, "pricing subgraph listening");
closeOnSignal(logger, () => server.close());
