import {
  API_KEY_CHANGED_CHANNEL,
  encodeApiKeyChanged,
  type LocalKeyChanges,
  type Logger,
  type Redis,
} from "@pokewatch/kit";

/** Announces keys that changed in a way every gateway must notice at once (revoked, rotated). */
export interface ApiKeyEvents {
  /** Resolves once announced, or once announcing failed (logged): a write never fails for it. */
  keyChanged(keyId: string): Promise<void>;
}

/**
 * Tells a gateway in this process first (`local`, synchronously), then publishes on
 * `API_KEY_CHANGED_CHANNEL` for gateways elsewhere. Without either, it does nothing: gateways
 * then notice the change when their cached verification expires (AUTH_CACHE_UNANNOUNCED_TTL_MS).
 */
export function createApiKeyEvents(
  redis: Redis | undefined,
  logger?: Pick<Logger, "warn">,
  local?: LocalKeyChanges,
): ApiKeyEvents {
  return {
    async keyChanged(keyId) {
      local?.announce(keyId);
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
