import type { Logger, Redis } from "@pokewatch/kit";
import { apiKeyAuthenticator, openAuthenticator, type Authenticator } from "./api-key-auth.js";
import { createApiKeyVerifier, type ApiKeyVerifier, type Clock } from "./api-key-verifier.js";
import { subscribeToKeyChanges } from "./key-invalidation.js";
import { createKeysServiceClient } from "./keys-service-client.js";
import { createUsageReporter } from "./usage-reporter.js";

export interface GatewayAuthOptions {
  /** AUTH_ENABLED. Off: every caller is anonymous with every scope (local development only). */
  enabled: boolean;
  /** The keys service; only its origin is used. @default the `keys` subgraph's URL */
  keysUrl?: string;
  /** AUTH_CACHE_TTL_SECONDS × 1000: how long a verified key is trusted. @default 30_000 */
  cacheTtlMs?: number;
  /** With it, revocations and rotations reach the cache at once (API_KEY_CHANGED_CHANNEL). */
  redis?: Redis | undefined;
  /** KEY_USAGE_FLUSH_INTERVAL_MS: how often key usage is reported to the keys service. @default 5000 */
  usageFlushIntervalMs?: number;
  /** KEYS_SERVICE_TIMEOUT_MS: longest wait for one call to the keys service. @default 2000 */
  keysServiceTimeoutMs?: number;
  /** @default Date.now */
  clock?: Clock;
}

export interface GatewayAuth {
  authenticator: Authenticator;
  /** Present when auth is on. */
  verifier?: ApiKeyVerifier;
  close(): Promise<void>;
}

/** Wires the verifier, its Redis invalidation and the usage reporter for one gateway. */
export async function createGatewayAuth(
  options: GatewayAuthOptions,
  {
    secret,
    logger,
    defaultKeysUrl,
  }: {
    /** What the keys service's calls are signed with (the keys subgraph's secret); needed when enabled. */
    secret: string | undefined;
    logger: Logger;
    defaultKeysUrl: string | undefined;
  },
): Promise<GatewayAuth> {
  if (!options.enabled) {
    logger.warn(
      "AUTH_ENABLED=false: API keys are NOT checked and every caller has every scope — for local development only, never where others can reach the gateway",
    );
    return { authenticator: openAuthenticator(), close: () => Promise.resolve() };
  }
  const keysUrl = options.keysUrl ?? defaultKeysUrl;
  if (!keysUrl) {
    throw new Error(
      "auth is enabled but no keys service URL is known: set KEYS_URL or give the supergraph a keys subgraph",
    );
  }
  if (secret === undefined) {
    throw new Error(
      "auth is enabled but there is no secret to sign keys service calls: set SUBGRAPH_SECRET_KEYS or SUBGRAPH_SECRET",
    );
  }
  const client = createKeysServiceClient({
    url: keysUrl,
    secret,
    ...(options.keysServiceTimeoutMs !== undefined && { timeoutMs: options.keysServiceTimeoutMs }),
  });
  const verifier = createApiKeyVerifier({
    client,
    ...(options.cacheTtlMs !== undefined && { ttlMs: options.cacheTtlMs }),
    ...(options.clock && { clock: options.clock }),
  });
  const usage = createUsageReporter({
    client,
    logger,
    ...(options.usageFlushIntervalMs !== undefined && { flushIntervalMs: options.usageFlushIntervalMs }),
  });
  const invalidation = options.redis ? await subscribeToKeyChanges(options.redis, verifier, logger) : undefined;
  return {
    authenticator: apiKeyAuthenticator(verifier, usage),
    verifier,
    async close() {
      await invalidation?.close();
      await usage.close();
    },
  };
}
