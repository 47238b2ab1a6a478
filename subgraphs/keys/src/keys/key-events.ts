import { API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged, type Logger, type Redis } from "@pokewatch/kit";

/** Announces keys that changed in a way every gateway must notice at once (revoked, rotated). */
export interface ApiKeyEvents {
  /** Resolves once announced, or once announcing failed (logged): a write never fails for it. */
  keyChanged(keyId: string): Promise<void>;
}

/**
 * Publishes on `API_KEY_CHANGED_CHANNEL`. Without Redis it does nothing: gateways then notice the
 * change when their cached verification expires.
 */
export function createApiKeyEvents(redis: Redis | undefined, logger?: Pick<Logger, "warn">): ApiKeyEvents {
  return {
    async keyChanged(keyId) {
      if (!redis) return;
      try {
        await redis.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged(keyId));
      } catch (error) {
        logger?.warn(
          { err: { message: (error as Error).message }, keyId },
          "could not announce a key change; gateways will notice it when their cached key expires",
        );
      }
    },
  };
}
