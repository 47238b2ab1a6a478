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

export interface ApiKeyEventsOptions {
  /** A gateway in the same process listens here (`pnpm start`); told first, synchronously. */
  local?: LocalKeyChanges | undefined;
  /** After a failed publish, how often it is tried again in the background. @default 1_000 */
  retryIntervalMs?: number;
  /**
   * How long a failed publish keeps being retried: past the gateways' longest cache TTL
   * (AUTH_CACHE_TTL_SECONDS, 30 s), the change no longer needs announcing. @default 30_000
   */
  retryForMs?: number;
}

/**
 * Tells a gateway in this process first, then publishes on `API_KEY_CHANGED_CHANNEL` for gateways
 * elsewhere. A publish that fails (this service's Redis connection is down while the gateways'
 * may not be) is retried in the background until it goes through or `retryForMs` has passed.
 * Without Redis or a local listener it does nothing: gateways then notice the change when their
 * cached verification expires (AUTH_CACHE_UNANNOUNCED_TTL_MS).
 */
export function createApiKeyEvents(
  redis: Redis | undefined,
  logger?: Pick<Logger, "warn" | "info">,
  { local, retryIntervalMs = 1_000, retryForMs = 30_000 }: ApiKeyEventsOptions = {},
): ApiKeyEvents {
  const publish = (keyId: string) =>
    redis!.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged(keyId)).then(
      () => true,
      () => false,
    );

  function retryLater(keyId: string, giveUpAt: number): void {
    setTimeout(() => {
      void publish(keyId).then((published) => {
        if (published) logger?.info({ keyId }, "announced a key change after retrying");
        else if (Date.now() < giveUpAt) retryLater(keyId, giveUpAt);
        else logger?.warn({ keyId }, "gave up announcing a key change; gateways' cache TTL bounds it");
      });
    }, retryIntervalMs).unref();
  }

  return {
    async keyChanged(keyId) {
      local?.announce(keyId);
      if (!redis) return;
      try {
        await redis.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged(keyId));
      } catch (error) {
        logger?.warn(
          { err: { message: (error as Error).message }, keyId },
          "could not announce a key change; retrying in the background",
        );
        retryLater(keyId, Date.now() + retryForMs);
      }
    },
  };
}
