import type { Logger, Redis } from "@pokewatch/kit";
import { createKeyQuota, type QuotaPolicy } from "../rate-limits/key-quota.js";

/** The verdict on an authentication about to be tried from one client address. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A token bucket of failed authentications per client address (see client-address.ts). A point
 * is taken before a key is looked up, so an empty bucket refuses the request first; the point is
 * given back when the authentication succeeds, so only failures count.
 */
export interface FailedAuthThrottle {
  take(bucket: string): Promise<ThrottleDecision>;
  /** Gives back the point `take` took: the key was valid, or could not be checked (keys service down). */
  forgive(bucket: string): Promise<void>;
  /** AUTH_FAILURES_PER_MINUTE. */
  readonly perMinute: number;
}

export interface FailedAuthThrottleOptions {
  /** Shared Redis, so every gateway replica counts an address together. @default in-process buckets */
  redis?: Redis | undefined;
  logger: Logger;
  /** AUTH_FAILURES_PER_MINUTE: failures an address may make in a row, and its refill per minute. @default 20 */
  perMinute?: number;
  /** Where the buckets live in Redis. @default "pokewatch:auth-failures:" */
  keyPrefix?: string;
  /** How long a Redis call may take before the in-process bucket answers instead. @default 100 */
  redisTimeoutMs?: number;
  /** Called once per Redis failure answered by the in-process buckets instead. */
  onRedisError?: (error: unknown) => void;
  /** @default Date.now */
  clock?: () => number;
}

export const DEFAULT_FAILED_AUTH_PER_MINUTE = 20;

/**
 * The per-key quota's store (key-quota.ts) with a bucket per address instead of per key: the same
 * atomic Lua token bucket in Redis, and the same in-process buckets without Redis or while it
 * fails (a Redis outage never lifts the throttle, and never fails a request). A bucket holds
 * `perMinute` points and refills them over a minute, so once empty an address may try once every
 * 60 / perMinute seconds.
 */
export function createFailedAuthThrottle(options: FailedAuthThrottleOptions): FailedAuthThrottle {
  const perMinute = options.perMinute ?? DEFAULT_FAILED_AUTH_PER_MINUTE;
  if (!Number.isSafeInteger(perMinute) || perMinute < 1) {
    throw new RangeError(`failed authentications per minute must be a whole number of at least 1; got ${perMinute}`);
  }
  const policy: QuotaPolicy = { perMinute, burst: 0 };
  const buckets = createKeyQuota({
    redis: options.redis,
    logger: options.logger,
    keyPrefix: options.keyPrefix ?? "pokewatch:auth-failures:",
    name: "failed-auth throttle",
    ...(options.redisTimeoutMs !== undefined && { redisTimeoutMs: options.redisTimeoutMs }),
    ...(options.onRedisError && { onRedisError: options.onRedisError }),
    ...(options.clock && { clock: options.clock }),
  });
  return {
    perMinute,
    async take(bucket) {
      const decision = await buckets.take(bucket, 1, policy);
      return decision.allowed ? { allowed: true } : { allowed: false, retryAfterMs: decision.retryAfterMs };
    },
    forgive: (bucket) => buckets.refund(bucket, 1, policy),
  };
}
