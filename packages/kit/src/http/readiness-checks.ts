import type { Database } from "../db/database.js";
import type { Redis } from "../redis.js";
import type { ReadinessCheck } from "./health-routes.js";

/** The system of record: a service cannot answer without it. */
export function databaseReadiness(db: Database): Record<string, ReadinessCheck> {
  return { database: { critical: true, check: () => db.query("SELECT 1") } };
}

/**
 * A configured Redis. The services keep answering without it (in-process fallbacks), but then each
 * replica counts rate limits and caches on its own: while it is down, `/ready` says so (503) and
 * the load balancer prefers replicas that still reach it.
 */
export function redisReadiness(redis: Redis | undefined): Record<string, ReadinessCheck> {
  return redis ? { redis: { critical: true, check: () => redis.ping() } } : {};
}
