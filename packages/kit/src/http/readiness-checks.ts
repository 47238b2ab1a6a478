import type { Database } from "../db/database.js";
import type { Redis } from "../redis.js";
import type { ReadinessCheck } from "./health-routes.js";

/** The system of record: a service cannot answer without it. */
export function databaseReadiness(db: Database): Record<string, ReadinessCheck> {
  return { database: { critical: true, check: () => db.query("SELECT 1") } };
}

/** Redis holds caches and counters with in-process fallbacks, so losing it degrades but does not stop a service. */
export function redisReadiness(redis: Redis | undefined): Record<string, ReadinessCheck> {
  return redis ? { redis: { critical: false, check: () => redis.ping() } } : {};
}
