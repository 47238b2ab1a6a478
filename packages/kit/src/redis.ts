import { Redis } from "ioredis";
import type { Logger } from "./logger.js";

export type { Redis } from "ioredis";

export interface CreateRedisOptions {
  url: string;
  logger: Logger;
  /** Prefix for every key this client writes; tests use one per file. @default "" */
  keyPrefix?: string;
  /** @default DEFAULT_REDIS_TIMEOUTS */
  timeouts?: Partial<RedisTimeouts>;
}

/** Bounds on every Redis call: a Redis that accepts and never answers must not hold a request. */
export interface RedisTimeouts {
  /** A command without a reply this long rejects ("Command timed out"). */
  commandTimeoutMs: number;
  /** Longest wait for a (re)connection. */
  connectTimeoutMs: number;
}

export const DEFAULT_REDIS_TIMEOUTS: RedisTimeouts = { commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 };

/**
 * A Redis client that never takes the process down: commands fail fast while Redis is away
 * (callers fall back to their in-process path) and the client reconnects by itself.
 */
export function createRedis({ url, logger, keyPrefix = "", timeouts = {} }: CreateRedisOptions): Redis {
  const { commandTimeoutMs, connectTimeoutMs } = { ...DEFAULT_REDIS_TIMEOUTS, ...timeouts };
  const client = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let healthy = true;
  client.on("error", (error: Error) => {
    if (healthy) logger.warn({ err: { message: error.message } }, "redis unavailable; retrying in the background");
    healthy = false;
  });
  client.on("ready", () => {
    if (!healthy) logger.info("redis connection restored");
    healthy = true;
  });
  return client;
}

/** Connects, but gives up after `timeoutMs` instead of blocking start-up on a missing Redis. */
export async function connectRedis(client: Redis, timeoutMs = 2_000): Promise<boolean> {
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("redis connect timed out")), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
