import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedis, generateApiKeySecret, parseEnv, type Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import { startStack, stackEnvSchema, type RunningStack, type StartStackOptions } from "@pokewatch/stack";

/** The POKEWATCH_ADMIN_KEY of every test stack: an active key with every scope. */
export const TEST_ADMIN_KEY = generateApiKeySecret("test");

/**
 * The whole system in this process on free ports, as `pnpm start` runs it. Keys get 100,000
 * requests a minute unless a test sets RATE_LIMIT_RPM or creates them with a limit of their own;
 * the rate-limit tests do. Likewise 100,000 failed authentications a minute per address
 * (AUTH_FAILURES_PER_MINUTE). On Redis, the admin key's counters from earlier runs are cleared first
 * (`key_admin` is the same id in every run, and `createApiKey` allows 10 an hour).
 */
export async function startTestStack(
  env: Record<string, string> = {},
  db?: Database,
  options: Omit<StartStackOptions, "env" | "db"> = {},
): Promise<RunningStack> {
  if (env.REDIS_URL) await clearAdminKeyLimits(env.REDIS_URL);
  const parsed = parseEnv(stackEnvSchema, {
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    GATEWAY_PORT: "0",
    PRICING_PORT: "0",
    KEYS_PORT: "0",
    PIPELINE_PORT: "0",
    DATA_DIR: mkdtempSync(join(tmpdir(), "pokewatch-e2e-")),
    POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY,
    RATE_LIMIT_RPM: "100000",
    // Every test sends from 127.0.0.1, and on Redis that address' failed-auth bucket is shared by
    // every test run on the machine; the throttle's own tests set their limit and addresses.
    AUTH_FAILURES_PER_MINUTE: "100000",
    // Tests bring their own models; first-model.test.ts turns this on.
    PIPELINE_TRAIN_ON_START: "false",
    // No price provider on the internet: collect-gateway.test.ts points one at a fake server.
    PRICE_SOURCE: "simulator",
    ...env,
  });
  return startStack({ ...options, env: parsed, ...(db ? { db } : {}) });
}

/** Deletes the admin key's counters on Redis (`key_admin` is the same id in every test run). */
export async function clearAdminKeyLimits(redisUrl: string): Promise<void> {
  const redis = createRedis({ url: redisUrl, logger: silentLogger() });
  try {
    await redis.connect();
    const keys = await redis.keys("pokewatch:*key_admin*");
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/**
 * Posts an operation to the gateway with the test admin key, unless the headers carry a key of
 * their own (`x-api-key` or `authorization`) or `anonymous` is set.
 */
export async function postGraphQL(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  { anonymous = false, variables }: { anonymous?: boolean; variables?: Record<string, unknown> } = {},
): Promise<GraphQLResult> {
  const ownKey = "x-api-key" in headers || "authorization" in headers;
  const key: Record<string, string> = anonymous || ownKey ? {} : { "x-api-key": TEST_ADMIN_KEY };
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...key, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResult["body"] };
}

/** One operation that needs all three subgraphs: the gateway plans a fetch to each. */
export const ALL_SUBGRAPHS_QUERY = `{
  card(id: "sv3pt5-6") { id name rarity set { name releaseDate } }
  viewer { authenticated requestId key { id } }
  schedules { cron timezone nextRunAt lastRun { id } }
}`;

/** Milliseconds from now until `ask` answers `status` (polling every 20 ms), or Infinity after `limitMs`. */
export async function msUntilStatus(
  ask: () => Promise<GraphQLResult>,
  status: number,
  limitMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const elapsed = performance.now() - started;
    if ((await ask()).status === status) return elapsed;
    if (elapsed > limitMs) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls `read` every 200 ms until it gives a value, or throws after `timeoutMs`. */
export async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 200));
  }
}
