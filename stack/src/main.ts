import { createLogger, loadEnv, runService, serverOptionsOf, shutdownDeadlineMs } from "@pokewatch/kit";
import { stackEnvSchema } from "./stack-env.js";
import { startStack } from "./start-stack.js";

const env = loadEnv(stackEnvSchema);
const logger = createLogger({ name: "pokewatch", level: env.LOG_LEVEL });
await runService(
  logger,
  async () => {
    const stack = await startStack({ env });
    logger.info(
      {
        gateway: stack.gatewayUrl,
        subgraphs: stack.subgraphUrls,
        database: stack.database,
        redis: stack.redis,
        metrics: stack.metricsUrl ?? false,
      },
      `PokeWatch is up: open ${stack.gatewayUrl.replace(/\/graphql$/, "/")} for Apollo Sandbox (Ctrl-C stops)`,
    );
    return () => stack.close();
  },
  // The gateway's delay and drain, then the subgraphs' (they have nothing left in flight).
  { shutdownTimeoutMs: shutdownDeadlineMs(serverOptionsOf(env).shutdown) },
);
