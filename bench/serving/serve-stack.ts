import { createPostgresDatabase, parseEnv } from "@pokewatch/kit";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "@pokewatch/kit/testing";
import { createCatalog, simulatedCatalogData, simulationCatalog } from "@pokewatch/market";
import { startStack, stackEnvSchema } from "@pokewatch/stack";

/**
 * The benchmarks' server process: the whole stack, as `pnpm start` runs it, on the benchmark's
 * PostgreSQL schema and simulated catalog, so the load generator never shares its CPU. Prints its
 * URLs as one JSON line on stdout, then serves until SIGTERM.
 */
const { BENCH_SCHEMA, BENCH_CARDS, BENCH_REDIS, BENCH_MAX_WAIT_MS, DATA_DIR, POKEWATCH_ADMIN_KEY } = process.env;
const db = createPostgresDatabase({ url: TEST_DATABASE_URL, schema: BENCH_SCHEMA! });
const env = parseEnv(stackEnvSchema, {
  LOG_LEVEL: "silent",
  NODE_ENV: "production",
  // Production refuses to start without it; the benchmark's clients are programs, not pages.
  CORS_ORIGINS: "none",
  HOST: "127.0.0.1",
  GATEWAY_PORT: "0",
  // Pricing's histograms are read on the internal metrics listener.
  METRICS_PORT: "0",
  PRICING_PORT: "0",
  KEYS_PORT: "0",
  PIPELINE_PORT: "0",
  DATA_DIR,
  POKEWATCH_ADMIN_KEY,
  ...(BENCH_REDIS === "1" ? { REDIS_URL: TEST_REDIS_URL } : {}),
});
const stack = await startStack({
  env,
  db,
  catalog: createCatalog(simulatedCatalogData(Number(BENCH_CARDS), simulationCatalog())),
  // These benchmarks measure serving; `pnpm bench rate-limits` measures the limits.
  rateLimits: { enabled: false },
  pricing: {
    modelPollSeconds: 0,
    onnxMaxWaitMs: BENCH_MAX_WAIT_MS === "off" ? undefined : Number(BENCH_MAX_WAIT_MS ?? 1),
  },
});
process.stdout.write(
  `${JSON.stringify({ gatewayUrl: stack.gatewayUrl, subgraphUrls: stack.subgraphUrls, metricsUrl: stack.metricsUrl })}\n`,
);
process.on("SIGTERM", () => {
  void stack
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
