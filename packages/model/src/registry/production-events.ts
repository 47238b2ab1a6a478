import type { Redis } from "@pokewatch/kit";

/** Redis pub/sub channel on which a new production model is announced; the message is its id. */
export const PRODUCTION_MODEL_CHANNEL = "pokewatch:model:production";

/**
 * Tells every serving replica that `versionId` is now in production, so they load it within
 * moments instead of at their next poll. Never throws: without Redis, or when the publish fails,
 * the replicas still find the new version by polling the registry.
 */
export async function announceProductionModel(redis: Redis | undefined, versionId: string): Promise<void> {
  if (!redis) return;
  try {
    await redis.publish(PRODUCTION_MODEL_CHANNEL, versionId);
  } catch {
    // A missed announcement only delays the swap until the next poll.
  }
}
