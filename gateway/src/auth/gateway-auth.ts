import type { LocalKeyChanges, Logger, Redis } from "@pokewatch/kit";
import { apiKeyAuthenticator, openAuthenticator, type Authenticator } from "./api-key-auth.js";
import { createApiKeyVerifier, type ApiKeyVerifier, type Clock } from "./api-key-verifier.js";
import { createFailedAuthThrottle, type FailedAuthThrottleOptions } from "./failed-auth-throttle.js";
import { subscribeToKeyChanges, type KeyInvalidation } from "./key-invalidation.js";
import { createKeysServiceClient } from "./keys-service-client.js";
import { createUsageReporter } from "./usage-reporter.js";

export interface GatewayAuthOptions {
  /** AUTH_ENABLED. Off: every caller is anonymous with every scope (local development only). */
  enabled: boolean;
  /** The keys service; only its origin is used. @default the `keys` subgraph's URL */
  keysUrl?: string;
  /** AUTH_CACHE_TTL_SECONDS × 1000: how long a verified key is trusted while subscribed to changes. @default 30_000 */
  cacheTtlMs?: number;
  /**
   * AUTH_CACHE_UNANNOUNCED_TTL_MS: how long a verified key is trusted when changes may go unheard
   * (no Redis, or its subscription down); bounds revocation then. @default 2_000
   */
  unannouncedTtlMs?: number;
  /** With it, revocations and rotations reach the cache at once (API_KEY_CHANGED_CHANNEL). */
  redis?: Redis | undefined;
  /** The keys service of the same process announces here (`pnpm start`): its changes reach the cache at once. */
  localKeyChanges?: LocalKeyChanges | undefined;
  /** KEY_USAGE_FLUSH_INTERVAL_MS: how often key usage is reported to the keys service. @default 5000 */
  usageFlushIntervalMs?: number;
  /**
   * Failed authentications per client address, counted in `redis` when given (shared by
   * replicas), in process otherwise. @default { perMinute: 20, keyPrefix: "pokewatch:auth-failures:" }
   */
  failedAuth?: Pick<FailedAuthThrottleOptions, "perMinute" | "keyPrefix" | "redisTimeoutMs">;
  /** KEYS_SERVICE_TIMEOUT_MS: longest wait for one call to the keys service. @default 2000 */
  keysServiceTimeoutMs?: number;
  /** @default Date.now */
  clock?: Clock;
}

/** Hooks for the gateway's rate-limit metrics. */
export interface GatewayAuthHooks {
  /** A request was refused 429 for its address' failed authentications. */
  onThrottled?: () => void;
  /** The throttle's Redis failed and its in-process buckets answered. */
  onThrottleRedisError?: () => void;
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
    hooks = {},
  }: {
    /** What the keys service's calls are signed with (the keys subgraph's secret); needed when enabled. */
    secret: string | undefined;
    logger: Logger;
    defaultKeysUrl: string | undefined;
    hooks?: GatewayAuthHooks;
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
  // eslint-disable-next-line security/detect-possible-timing-attacks -- a check for no secret configured, not a comparison of two secrets
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
  // Only a live Redis subscription hears every writer (other keys replicas, `pnpm keys`); the
  // in-process announcements hear this process' keys service alone, so they do not lengthen trust.
  const subscription: { current?: KeyInvalidation } = {};
  const verifier = createApiKeyVerifier({
    client,
    announced: () => subscription.current?.live() ?? false,
    ...(options.cacheTtlMs !== undefined && { ttlMs: options.cacheTtlMs }),
    ...(options.unannouncedTtlMs !== undefined && { unannouncedTtlMs: options.unannouncedTtlMs }),
    ...(options.clock && { clock: options.clock }),
  });
  const stopListening = options.localKeyChanges?.listen((keyId) => verifier.forgetKey(keyId));
  const usage = createUsageReporter({
    client,
    logger,
    ...(options.usageFlushIntervalMs !== undefined && { flushIntervalMs: options.usageFlushIntervalMs }),
  });
  if (options.redis) subscription.current = await subscribeToKeyChanges(options.redis, verifier, logger);
  const throttle = createFailedAuthThrottle({
    redis: options.redis,
    logger,
    ...options.failedAuth,
    ...(hooks.onThrottleRedisError && { onRedisError: hooks.onThrottleRedisError }),
    ...(options.clock && { clock: () => options.clock!.now() }),
  });
  return {
    authenticator: apiKeyAuthenticator({
      verifier,
      usage,
      throttle,
      ...(hooks.onThrottled && { onThrottled: hooks.onThrottled }),
    }),
    verifier,
    async close() {
      stopListening?.();
      await subscription.current?.close();
      await usage.close();
    },
  };
}
