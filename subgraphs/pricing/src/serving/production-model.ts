import type { Logger, Redis } from "@pokewatch/kit";
import { PRODUCTION_MODEL_CHANNEL, type ModelRegistry, type ModelVersion } from "@pokewatch/model";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { assertMicroBatcherOptions } from "./micro-batcher.js";
import { createServingModel, type ServingModel } from "./serving-model.js";

/** One request's hold on a model: the session stays open until every lease on it is released. */
export interface ModelLease {
  readonly model: ServingModel;
  /** Idempotent. */
  release(): void;
}

export interface ProductionModel {
  /** Pins the current production model for one request; null when the registry has none (the caller answers MODEL_UNAVAILABLE). Sync and cheap. */
  acquire(): ModelLease | null;
  /**
   * Reads the registry's production version; when it changed, loads the new session beside the
   * old and swaps atomically. Serialized: concurrent refreshes share one load, and a refresh asked
   * for during a load reads the registry again after it. Never rejects: a failed load keeps the
   * old model serving (counted modelSwaps{outcome:"failed"}, logged).
   */
  refresh(): Promise<void>;
  /** Id of the model new requests get, or null. */
  readonly currentVersionId: string | null;
  /** Stops polling and listening, then resolves once every session has closed (after its leases). */
  close(): Promise<void>;
}

export interface CreateProductionModelOptions {
  registry: ModelRegistry;
  metrics: PricingMetrics;
  logger: Logger;
  batcher: { maxWaitMs?: number; maxBatchRows: number };
  /** ioredis client (kit createRedis) — subscribe (on a duplicate() connection) to the production-change channel and refresh on each message; resubscribes after reconnects. */
  redis?: Redis;
  /** Poll the registry this often (ms); the embedded-mode path, and a safety net with Redis. 0 = never. */
  pollMs: number;
  /** ONNX intra-op threads @default 1 */
  threads?: number;
}

/** A loaded session and the requests still using it. */
interface Session {
  model: ServingModel;
  leases: number;
  /** No longer handed out: closes when its last lease is released. */
  retired: boolean;
  closing: boolean;
  closed: Promise<void>;
  markClosed(): void;
}

/**
 * The process's production model. Requests lease it, so a swap never changes the model under a
 * request that is running: it finishes on the session it started with, which is released only
 * after the last such request lets go. Loads the current production version (if any) before
 * resolving; an empty registry, or a version that fails to load, leaves `acquire()` null until a
 * later refresh succeeds. The registry is the truth: a Redis message only says "look now".
 */
export async function createProductionModel(options: CreateProductionModelOptions): Promise<ProductionModel> {
  const { registry, metrics, logger, batcher, redis, pollMs, threads = 1 } = options;
  if (!Number.isInteger(pollMs) || pollMs < 0) {
    throw new RangeError(`pollMs must be a whole number of milliseconds ≥ 0 (0 = never poll), got ${String(pollMs)}`);
  }
  assertMicroBatcherOptions(batcher);

  const sessions = new Set<Session>();
  let current: Session | null = null;
  let closed = false;

  const closeIfIdle = (session: Session) => {
    if (!session.retired || session.leases > 0 || session.closing) return;
    session.closing = true;
    session.model
      .close()
      .catch((error: unknown) =>
        logger.error({ err: error, versionId: session.model.version.id }, "closing a model failed"),
      )
      .finally(() => {
        sessions.delete(session);
        session.markClosed();
      });
  };

  const retire = (session: Session | null) => {
    if (!session) return;
    session.retired = true;
    closeIfIdle(session);
  };

  const track = (model: ServingModel): Session => {
    let markClosed = () => {};
    const closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
    const session = { model, leases: 0, retired: false, closing: false, closed: closedPromise, markClosed };
    sessions.add(session);
    return session;
  };

  const label = (version: ModelVersion | null | undefined) =>
    version ? { id: version.id, version: version.version } : null;

  const loadProduction = async () => {
    let version: ModelVersion | null;
    try {
      version = await registry.production();
    } catch (error) {
      logger.warn({ err: error }, "could not read the production model from the registry; keeping the current one");
      return;
    }
    const previous = current;
    if (closed || version?.id === previous?.model.version.id) return;
    if (!version) {
      logger.warn({ previous: label(previous?.model.version) }, "the registry has no production model any more");
      current = null;
      retire(previous);
      return;
    }
    let model: ServingModel;
    try {
      model = await createServingModel(version, { registry, batcher, metrics, threads });
    } catch (error) {
      metrics.modelSwaps.inc({ outcome: "failed" });
      logger.error(
        { err: error, model: label(version), serving: label(current?.model.version) },
        "could not load the production model; the current one keeps serving",
      );
      return;
    }
    const loaded = track(model);
    if (closed) return retire(loaded);
    const replaced = current;
    current = loaded;
    retire(replaced);
    metrics.modelSwaps.inc({ outcome: "swapped" });
    logger.info({ model: label(version), previous: label(replaced?.model.version) }, "production model swapped in");
  };

  let refreshing: Promise<void> | null = null;
  let readAgain = false;
  const refresh = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (refreshing) {
      readAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        do {
          readAgain = false;
          await loadProduction();
        } while (readAgain && !closed);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  await refresh();

  const poller = pollMs > 0 ? setInterval(() => void refresh(), pollMs).unref() : undefined;
  const subscriber = redis ? listenForPromotions(redis, logger, refresh) : undefined;

  return {
    acquire() {
      const session = current;
      if (!session) return null;
      session.leases++;
      let released = false;
      return {
        model: session.model,
        release() {
          if (released) return;
          released = true;
          session.leases--;
          closeIfIdle(session);
        },
      };
    },
    refresh,
    get currentVersionId() {
      return current?.model.version.id ?? null;
    },
    async close() {
      closed = true;
      clearInterval(poller);
      subscriber?.disconnect();
      retire(current);
      current = null;
      // A load still in flight retires what it loaded, so its session is awaited below.
      await refreshing;
      await Promise.all([...sessions].map((session) => session.closed));
    },
  };
}

/**
 * Subscribes on a connection of its own (a subscribed connection can run nothing else). Every time
 * it is ready — at start and after each reconnect — it subscribes again and refreshes, since a
 * promotion announced while it was away was never delivered.
 */
function listenForPromotions(redis: Redis, logger: Logger, refresh: () => Promise<void>): Redis {
  const subscriber = redis.duplicate({ autoResubscribe: false });
  let healthy = true;
  subscriber.on("error", (error: Error) => {
    if (healthy) logger.warn({ err: { message: error.message } }, "model announcements unavailable; polling only");
    healthy = false;
  });
  subscriber.on("ready", () => {
    healthy = true;
    subscriber
      .subscribe(PRODUCTION_MODEL_CHANNEL)
      .then(refresh)
      .catch((error: Error) =>
        logger.warn({ err: { message: error.message } }, "could not subscribe to model announcements"),
      );
  });
  subscriber.on("message", (channel: string) => {
    if (channel === PRODUCTION_MODEL_CHANNEL) void refresh();
  });
  // With lazyConnect a failed first attempt rejects here, yet the client keeps retrying by itself.
  subscriber.connect().catch(() => {});
  return subscriber;
}
