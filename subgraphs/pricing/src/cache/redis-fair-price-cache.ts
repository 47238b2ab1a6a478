import KeyvRedis, { createClient, type RedisClientType } from "@keyv/redis";
import type { Logger } from "@pokewatch/kit";
import { Keyv } from "keyv";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { decodeCachedFairPrice, toCachedFairPrice } from "./cached-fair-price.js";
import type { CachedFairPrice, FairPriceCache } from "./fair-price-cache.js";
import { withTimeout } from "./with-timeout.js";

/** How long one connection attempt may take, so start-up waits at most this for an unanswering Redis. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Reconnect back-off cap: a Redis that comes back is used again within about a second. */
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface RedisFairPriceCacheOptions {
  /** REDIS_URL; may hold a password, so it is never logged. */
  url: string;
  /** Whole milliseconds an entry lives after it was written (Redis PX). */
  ttlMs: number;
  metrics: PricingMetrics;
  logger: Logger;
  /** Every key is written as `<namespace>:<key>`. */
  namespace: string;
  /** Longest one call may take before it counts as failed and answers uncached. */
  timeoutMs: number;
}

/**
 * The shared cache: Keyv over @keyv/redis, on a node-redis client that fails fast while Redis is
 * away (no offline queue; a call is not even tried unless the client is connected), gives up on a
 * call after `timeoutMs`, and reconnects by itself forever. Resolves once the first connection
 * attempt has settled, whatever its outcome.
 */
export async function createRedisFairPriceCache(options: RedisFairPriceCacheOptions): Promise<FairPriceCache> {
  const { url, ttlMs, metrics, logger, namespace, timeoutMs } = options;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Always a number, so node-redis never gives up (its own default stops on a socket timeout).
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  const health = trackHealth(client, logger);
  const firstAttempt = firstConnectionOutcome(client);
  // connect() settles only once connected (or closed); failed attempts arrive as 'error' events.
  client.connect().catch(() => {});
  const keyv = new Keyv<CachedFairPrice>({
    // throwOnErrors, so a failure reaches the call that can count it instead of passing as a miss.
    store: new KeyvRedis(client, {
      namespace,
      keyPrefixSeparator: ":",
      throwOnConnectError: false,
      throwOnErrors: true,
    }),
    namespace,
    useKeyPrefix: false,
    ttl: ttlMs,
    throwOnErrors: true,
  });
  // Failures are counted and logged by the call that saw them; this only keeps Keyv's re-emit quiet.
  keyv.on("error", () => {});
  await firstAttempt;

  /** One Redis round trip, or a rejection: at once while not connected, else after `timeoutMs`. */
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    // Also keeps @keyv/redis from reconnecting a closed client, and MULTI (which node-redis queues
    // even without an offline queue) from waiting for a reconnect.
    if (!client.isReady) throw new Error(client.isOpen ? "redis is not connected" : "cache is closed");
    const result = await withTimeout(run(), timeoutMs);
    health.restored();
    return result;
  };
  const hits = metrics.cacheHits.labels({ cache: "redis" });
  const misses = metrics.cacheMisses.labels({ cache: "redis" });
  const getErrors = metrics.cacheErrors.labels({ cache: "redis", operation: "get" });
  const setErrors = metrics.cacheErrors.labels({ cache: "redis", operation: "set" });

  return {
    kind: "redis",
    async getMany(keys) {
      if (keys.length === 0) return [];
      let values: Array<CachedFairPrice | undefined>;
      try {
        const raw = await call(() => keyv.getMany<unknown>([...keys]));
        values = raw.map(decodeCachedFairPrice);
      } catch (error) {
        getErrors.inc();
        health.failed(error);
        values = keys.map(() => undefined);
      }
      const found = values.filter(Boolean).length;
      hits.inc(found);
      misses.inc(keys.length - found);
      return values;
    },
    async setMany(entries) {
      if (entries.length === 0) return;
      try {
        await call(() => keyv.setMany(entries.map(({ key, value }) => ({ key, value: toCachedFairPrice(value) }))));
      } catch (error) {
        setErrors.inc();
        health.failed(error);
      }
    },
    close() {
      // destroy, not close: close() waits for replies a hung Redis may never send. Only cache writes are lost.
      if (client.isOpen) client.destroy();
      return Promise.resolve();
    },
  };
}

/** Logs once when Redis becomes unavailable and once when it is back; never the URL. */
function trackHealth(client: RedisClientType, logger: Logger) {
  let healthy = true;
  const failed = (error: unknown) => {
    // After close every call fails by design; that is no outage.
    if (!healthy || !client.isOpen) return;
    healthy = false;
    logger.warn({ err: describe(error) }, "fair-price cache: redis unavailable; serving uncached until it is back");
  };
  const restored = () => {
    if (healthy) return;
    healthy = true;
    logger.info("fair-price cache: redis connection restored");
  };
  client.on("error", failed);
  client.on("ready", restored);
  return { failed, restored };
}

/** Settles on the first 'ready' or 'error', so start-up waits for a reachable Redis but not for a missing one. */
function firstConnectionOutcome(client: RedisClientType): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      client.off("ready", settle);
      client.off("error", settle);
      resolve();
    };
    client.on("ready", settle);
    client.on("error", settle);
  });
}

/** Name, message and code only: a connection error's other fields may carry connection options. */
function describe(error: unknown): { name?: string; message: string; code?: unknown } {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code } = error as { code?: unknown };
  return { name: error.name, message: error.message, ...(code !== undefined && { code }) };
}
