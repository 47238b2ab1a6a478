import { MAX_USAGES_PER_BATCH, type Logger } from "@pokewatch/kit";
import type { KeysServiceClient } from "./keys-service-client.js";

export interface UsageReporter {
  /** Notes that a key was used now; never throws, never waits. */
  record(keyId: string): void;
  /** Sends what was recorded since the last flush (in requests of at most MAX_USAGES_PER_BATCH). */
  flush(): Promise<void>;
  /** Stops the timer and flushes once more (each call to the keys service is bounded by its client's timeout). */
  close(): Promise<void>;
}

export interface UsageReporterOptions {
  client: Pick<KeysServiceClient, "recordUsage">;
  logger: Logger;
  /** @default 5000; 0 flushes only when asked (tests). */
  flushIntervalMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Keeps the latest use of each key in memory and reports them in one POST every few seconds, so a
 * request never waits on (or fails because of) the `lastUsedAt` write. A failed flush keeps its
 * usages for the next one.
 */
export function createUsageReporter({
  client,
  logger,
  flushIntervalMs = 5_000,
  now = Date.now,
}: UsageReporterOptions): UsageReporter {
  let pending = new Map<string, number>();
  let flushing: Promise<void> | undefined;

  async function send(): Promise<void> {
    if (pending.size === 0) return;
    const batch = [...pending];
    pending = new Map();
    // The keys service takes at most MAX_USAGES_PER_BATCH a request: send in chunks.
    for (let start = 0; start < batch.length; start += MAX_USAGES_PER_BATCH) {
      const chunk = batch.slice(start, start + MAX_USAGES_PER_BATCH);
      try {
        await client.recordUsage(chunk.map(([keyId, at]) => ({ keyId, at: new Date(at).toISOString() })));
      } catch (error) {
        // Kept for the next flush (a newer use recorded meanwhile wins).
        for (const [keyId, at] of batch.slice(start)) pending.set(keyId, Math.max(at, pending.get(keyId) ?? 0));
        logger.warn(
          { err: { message: (error as Error).message }, keys: batch.length - start },
          "could not report key usage; retrying at the next flush",
        );
        return;
      }
    }
  }

  function flush(): Promise<void> {
    flushing ??= send().finally(() => (flushing = undefined));
    return flushing;
  }

  const timer = flushIntervalMs > 0 ? setInterval(() => void flush(), flushIntervalMs) : undefined;
  timer?.unref();

  return {
    record(keyId) {
      pending.set(keyId, now());
    },
    flush,
    async close() {
      clearInterval(timer);
      await flushing;
      const keys = pending.size;
      await flush();
      // Said on every stop, so that an operator (and the shutdown test) can see the last uses were not lost.
      if (keys > 0 && pending.size === 0) logger.info({ keys }, "reported key usage before stopping");
    },
  };
}
