import { API_KEY_CHANGED_CHANNEL, decodeApiKeyChanged, type Logger, type Redis } from "@pokewatch/kit";
import type { ApiKeyVerifier } from "./api-key-verifier.js";

export interface KeyInvalidation {
  close(): Promise<void>;
}

/**
 * Listens on API_KEY_CHANGED_CHANNEL on a connection of its own (a subscribed connection can run
 * no other command) and drops a revoked or rotated key from the verifier's cache at once.
 * ioredis re-subscribes by itself after a reconnect (`autoResubscribe`, on by default); messages
 * published while it was away are lost, so the whole cache is dropped on each reconnect.
 */
export async function subscribeToKeyChanges(
  redis: Redis,
  verifier: Pick<ApiKeyVerifier, "forgetKey" | "forgetAll">,
  logger: Logger,
): Promise<KeyInvalidation> {
  // Unlike the shared client, queue the SUBSCRIBE while Redis is away and never give it up.
  const subscriber = redis.duplicate({
    autoResubscribe: true,
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
  });
  subscriber.on("error", () => {
    // The shared client already logs Redis outages; the TTL covers what is missed meanwhile.
  });
  // Announcements made while the connection was down are lost: after a reconnect, trust nothing cached.
  let connectedBefore = false;
  subscriber.on("ready", () => {
    if (connectedBefore) {
      verifier.forgetAll();
      logger.info("resubscribed to key changes; dropped every cached verification");
    }
    connectedBefore = true;
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (channel !== API_KEY_CHANGED_CHANNEL) return;
    const keyId = decodeApiKeyChanged(message);
    if (keyId === undefined) {
      logger.warn({ channel }, "ignored a malformed key-changed message");
      return;
    }
    verifier.forgetKey(keyId);
    logger.debug({ keyId }, "dropped cached verifications of a changed key");
  });
  const subscribed = subscriber.subscribe(API_KEY_CHANGED_CHANNEL).then(
    () => true,
    () => false,
  );
  subscriber.connect().catch(() => {
    // retried in the background by ioredis; the queued SUBSCRIBE goes out once connected.
  });
  const ready = await Promise.race([subscribed, new Promise<false>((done) => setTimeout(done, 2_000, false).unref())]);
  if (!ready) logger.warn("cannot subscribe to key changes yet; until then the cache TTL bounds revocation");
  return {
    close: async () => {
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
