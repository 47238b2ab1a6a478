import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import { generateApiKeySecret } from "../api-keys/api-key-secret.js";
import { parseEnv } from "../env.js";

/**
 * What the variables tests start from: SUBGRAPH_SECRET, and prices from the simulator, so that no
 * test reaches a price provider on the internet unless it asks to.
 */
export const BASE_TEST_ENV: Readonly<Record<string, string>> = Object.freeze({
  SUBGRAPH_SECRET: "s".repeat(32),
  PRICE_SOURCE: "simulator",
});

/**
 * A valid value, different from the default or from `BASE_TEST_ENV`, for every variable a
 * PokeWatch service reads. A variable added to a schema without a value here fails its service's
 * variables test ("untested"), so it cannot slip in unproven.
 */
export const ALTERNATIVE_ENV_VALUES: Readonly<Record<string, string>> = Object.freeze({
  // kit: commonEnvShape, databaseEnvShape, serviceEnvShape
  LOG_LEVEL: "debug",
  HOST: "127.0.0.1",
  REDIS_URL: "redis://127.0.0.1:6390",
  REDIS_COMMAND_TIMEOUT_MS: "1234",
  REDIS_CONNECT_TIMEOUT_MS: "1234",
  DATA_DIR: "/var/lib/pokewatch",
  DATABASE_URL: "postgres://pokewatch@127.0.0.1:5432/other",
  DATABASE_STATEMENT_TIMEOUT_MS: "1234",
  DATABASE_CONNECT_TIMEOUT_MS: "1234",
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: "1234",
  SUBGRAPH_SECRET: "t".repeat(32),
  SUBGRAPH_SECRET_PREVIOUS: "u".repeat(32),
  MAX_BODY_BYTES: "1234",
  HTTP_REQUEST_TIMEOUT_MS: "12345",
  HTTP_HEADERS_TIMEOUT_MS: "1234",
  HTTP_IDLE_TIMEOUT_MS: "123456",
  HTTP_KEEP_ALIVE_TIMEOUT_MS: "1234",
  HTTP_MAX_CONNECTIONS: "12",
  METRICS_PORT: "9464",
  BEHIND_TLS: "true",
  SHUTDOWN_DELAY_MS: "1234",
  SHUTDOWN_DRAIN_TIMEOUT_MS: "1234",
  // each subgraph's own secrets
  SUBGRAPH_SECRET_PRICING: "p".repeat(32),
  SUBGRAPH_SECRET_PRICING_PREVIOUS: "q".repeat(32),
  SUBGRAPH_SECRET_KEYS: "k".repeat(32),
  SUBGRAPH_SECRET_KEYS_PREVIOUS: "l".repeat(32),
  SUBGRAPH_SECRET_PIPELINE: "r".repeat(32),
  SUBGRAPH_SECRET_PIPELINE_PREVIOUS: "v".repeat(32),
  // gateway
  NODE_ENV: "test",
  GATEWAY_PORT: "5000",
  SUPERGRAPH_PATH: "/etc/pokewatch/supergraph.graphql",
  PRICING_URL: "http://pricing.internal:4001/graphql",
  KEYS_URL: "http://keys.internal:4002/graphql",
  PIPELINE_URL: "http://pipeline.internal:4003/graphql",
  CORS_ORIGINS: "https://app.example",
  AUTH_ENABLED: "false",
  AUTH_CACHE_TTL_SECONDS: "12",
  AUTH_CACHE_UNANNOUNCED_TTL_MS: "1234",
  AUTH_FAILURES_PER_MINUTE: "7",
  TRUST_PROXY: "loopback",
  SUBGRAPH_TIMEOUT_MS: "1234",
  KEYS_SERVICE_TIMEOUT_MS: "1234",
  KEY_USAGE_FLUSH_INTERVAL_MS: "1234",
  RATE_LIMIT_BURST: "3",
  OPERATION_MAX_TOKENS: "1234",
  OPERATION_MAX_DEPTH: "3",
  OPERATION_MAX_ALIASES: "3",
  OPERATION_MAX_DIRECTIVES: "3",
  OPERATION_MAX_FIELDS: "33",
  // pricing
  PRICING_PORT: "5001",
  BUY_THRESHOLD_PCT: "-12",
  SELL_THRESHOLD_PCT: "17",
  CACHE_TTL_SECONDS: "60",
  FAIR_PRICE_CACHE_ENTRIES: "1000",
  ONNX_MAX_WAIT_MS: "2",
  ONNX_MAX_BATCH_ROWS: "64",
  MODEL_POLL_SECONDS: "5",
  // keys
  KEYS_PORT: "5002",
  POKEWATCH_ADMIN_KEY: generateApiKeySecret("test"),
  RATE_LIMIT_RPM: "30",
  ADMIN_RATE_LIMIT_RPM: "600",
  // pipeline
  PIPELINE_PORT: "5003",
  PIPELINE_CRON: "0 4 * * *",
  PIPELINE_TRAIN_ON_START: "false",
  PRICE_SOURCE: "providers",
  POKEMONTCG_API_URL: "http://127.0.0.1:9/v2",
  POKEMONTCG_API_KEY: "tcg_test_key",
  POKEMON_PRICE_API_KEY: "ppt_test_key",
  PPT_API_URL: "http://127.0.0.1:9/ppt/v2",
  PRICE_BACKFILL_DAYS: "30",
  PPT_MAX_CALLS_PER_RUN: "5",
});

/** `BASE_TEST_ENV` with one variable set to its alternative value. */
export function envWithAlternative(variable: string): Record<string, string> {
  const value = ALTERNATIVE_ENV_VALUES[variable];
  if (value === undefined) throw new Error(`no alternative value for ${variable}: add one to ALTERNATIVE_ENV_VALUES`);
  return { ...BASE_TEST_ENV, [variable]: value };
}

/**
 * Every variable of `schema` must change what `optionsOf` makes of the environment: for each,
 * the base environment and the base with that variable changed are parsed and turned into
 * options, which must differ. Returns the variables without effect (`unused`) and those the
 * table has no value for (`untested`); a service's test expects both empty.
 */
export function variablesWithoutEffect<S extends z.ZodObject>(
  schema: S,
  optionsOf: (env: Readonly<z.infer<S>>) => unknown,
): { unused: string[]; untested: string[] } {
  const base = optionsOf(parseEnv(schema, BASE_TEST_ENV));
  const unused: string[] = [];
  const untested: string[] = [];
  for (const variable of Object.keys(schema.shape)) {
    if (ALTERNATIVE_ENV_VALUES[variable] === undefined) {
      untested.push(variable);
      continue;
    }
    if (isDeepStrictEqual(optionsOf(parseEnv(schema, envWithAlternative(variable))), base)) unused.push(variable);
  }
  return { unused, untested };
}
