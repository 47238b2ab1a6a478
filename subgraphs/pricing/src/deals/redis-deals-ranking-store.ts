import type { Logger, Redis } from "@pokewatch/kit";
import { withTimeout } from "../cache/with-timeout.js";
import { dealsRankingKey, decodeDealsRanking, type DealsRankingStore } from "./deals-ranking-store.js";

export interface RedisDealsRankingStoreOptions {
  /** The service's ioredis client (kit createRedis): fails fast while Redis is away. */
  redis: Redis;
  logger: Logger;
  /** @default "pokewatch:deals" */
  namespace?: string;
  /** Longest one read or write may take; a ranking of 20,000 cards is about 2 MB. @default 2000 */
  timeoutMs?: number;
}

export const DEFAULT_DEALS_NAMESPACE = "pokewatch:deals";

/**
 * Rankings in Redis, one JSON value per (model, price day) under `<namespace>:v1:<model>:<day>`
 * with a TTL, so a replica that finds one never prices the catalog itself. Redis trouble is a
 * miss (logged once per outage): the replica computes and serves the ranking on its own.
 */
export function createRedisDealsRankingStore(options: RedisDealsRankingStoreOptions): DealsRankingStore {
  const { redis, logger, namespace = DEFAULT_DEALS_NAMESPACE, timeoutMs = 2_000 } = options;
  const keyOf = (modelVersionId: string, pricesVersion: string | null) =>
    `${namespace}:v2:${dealsRankingKey(modelVersionId, pricesVersion)}`;
  let healthy = true;
  const failed = (operation: string, error: unknown) => {
    if (!healthy) return;
    healthy = false;
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ err: { message }, operation }, "deals ranking store: redis unavailable; rankings computed here");
  };
  const succeeded = () => {
    if (!healthy) logger.info("deals ranking store: redis answers again");
    healthy = true;
  };
  return {
    kind: "redis",
    async get(modelVersionId, pricesVersion) {
      try {
        const raw = await withTimeout(redis.get(keyOf(modelVersionId, pricesVersion)), timeoutMs);
        succeeded();
        return raw === null ? undefined : decodeDealsRanking(JSON.parse(raw));
      } catch (error) {
        if (error instanceof SyntaxError) return undefined;
        failed("get", error);
        return undefined;
      }
    },
    async set(ranking, ttlMs) {
      try {
        const key = keyOf(ranking.modelVersionId, ranking.pricesVersion);
        const ttl = Math.max(1, Math.round(ttlMs));
        await withTimeout(redis.set(key, JSON.stringify(ranking), "PX", ttl), timeoutMs);
        succeeded();
      } catch (error) {
        failed("set", error);
      }
    },
  };
}
