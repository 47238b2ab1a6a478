import { API_KEY_CHANGED_CHANNEL, decodeApiKeyChanged, type Logger, type Redis } from "@pokewatch/kit";
import type { ApiKeyVerifier } from "./api-key-verifier.js";

export interface KeyInvalidation {
  /**
   * True while the subscription is confirmed and its connection answered a heartbeat within the
   * last two heartbeats: announcements reach this gateway. The verifier trusts cached keys for the
   * full TTL only then.
   */
  live(): boolean;
  close(): Promise<void>;
}

export interface KeyInvalidationOptions {
  /**
   * How often the subscribed connection is pinged. With no answer for 2 × this, the subscription
   * is not live (a silent network drop is noticed that fast), and a ping unanswered that long
   * reconnects the connection. @default 1_000
   */
  heartbeatMs?: number;
  /** How long start-up waits for the first subscription before going on without it. @default 2_000 */
  startupWaitMs?: number;
  /** @default Date.now */
  clock?: () => number;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Listens on API_KEY_CHANGED_CHANNEL on a connection of its own (a subscribed connection can run
 * no other command) and drops a revoked or rotated key from the verifier's cache at once.
 * Messages published while the connection is down are lost, so after every (re)subscription the
 * whole cache is dropped, and while not `live()` the verifier trusts its cache only briefly. A
 * connection that dies silently (no FIN, no RST) is found by a PING with a deadline — Redis
 * answers PING on a subscribed connection — and reconnected.
 */
export async function subscribeToKeyChanges(
  redis: Redis,
  verifier: Pick<ApiKeyVerifier, "forgetKey" | "forgetAll">,
  logger: Logger,
  options: KeyInvalidationOptions = {},
): Promise<KeyInvalidation> {
  const { heartbeatMs = 1_000, startupWaitMs = 2_000, clock = Date.now } = options;
  // Subscribed by hand on every "ready", so the moment the subscription is confirmed is known.
  const subscriber = redis.duplicate({ autoResubscribe: false, lazyConnect: true, enableOfflineQueue: false });
  subscriber.on("error", () => {
    // The shared client already logs Redis outages; live() turns false and the short TTL applies.
  });
  let subscribed = false;
  let subscribing = false;
  let lastAnswerAt = 0;
  let wasLive = false;
  let onFirstSubscription: () => void = () => {};
  const firstSubscription = new Promise<void>((done) => (onFirstSubscription = done));

  const live = () => subscribed && clock() - lastAnswerAt <= 2 * heartbeatMs;

  function noteChange(): void {
    const now = live();
    if (now === wasLive) return;
    wasLive = now;
    if (now) logger.info("subscribed to key changes; dropped every cached verification made before");
    else logger.warn("not subscribed to key changes: cached keys are trusted only for AUTH_CACHE_UNANNOUNCED_TTL_MS");
  }

  function subscribe(): void {
    if (subscribing || subscribed || subscriber.status !== "ready") return;
    subscribing = true;
    withDeadline(subscriber.subscribe(API_KEY_CHANGED_CHANNEL), heartbeatMs)
      .then(() => {
        // Whatever was cached may predate an announcement missed while unsubscribed.
        verifier.forgetAll();
        subscribed = true;
        lastAnswerAt = clock();
        onFirstSubscription();
      })
      .catch(() => {
        // Tried again on the next heartbeat.
      })
      .finally(() => {
        subscribing = false;
        noteChange();
      });
  }

  function heartbeat(): void {
    noteChange();
    if (!subscribed) return subscribe();
    // A deadline of two beats: an event loop held for a moment must not cost a reconnect.
    withDeadline(subscriber.ping(), 2 * heartbeatMs).then(
      () => {
        lastAnswerAt = clock();
        noteChange();
      },
      () => {
        if (!subscribed) return;
        subscribed = false;
        noteChange();
        // Still "ready" to ioredis, but silent: reconnect now rather than after TCP gives up.
        subscriber.disconnect(true);
      },
    );
  }

  subscriber.on("ready", subscribe);
  subscriber.on("close", () => {
    subscribed = false;
    noteChange();
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
  const timer = setInterval(heartbeat, heartbeatMs).unref();
  subscriber.connect().catch(() => {
    // Retried in the background by ioredis; "ready" subscribes once connected.
  });
  const ready = await Promise.race([
    firstSubscription.then(() => true),
    new Promise<false>((done) => setTimeout(done, startupWaitMs, false).unref()),
  ]);
  if (!ready) logger.warn("cannot subscribe to key changes yet; until then cached keys are trusted only briefly");
  return {
    live,
    close: async () => {
      clearInterval(timer);
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
