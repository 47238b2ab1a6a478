import { connectRedis, createRedis, type Redis, type RedisTimeouts } from "./redis.js";
import type { Logger } from "./logger.js";
import { closeOnSignal, shutdownDeadlineMs } from "./shutdown.js";

/**
 * A process entry point: starts the service, closes it on SIGINT/SIGTERM, and turns a failed
 * start (port taken, database unreachable) into one log line and exit code 1, not a stack dump.
 */
export async function runService(
  logger: Logger,
  start: () => Promise<() => Promise<void>>,
  /** After a signal, how long closing may take before the process exits 1 (`shutdownDeadlineMs(serverOptionsOf(env).shutdown)`). */
  { shutdownTimeoutMs = shutdownDeadlineMs() }: { shutdownTimeoutMs?: number } = {},
): Promise<void> {
  // A start can be long (the stack trains a first model): Ctrl-C then must stop at once, with a
  // log line, not wait for it. Nothing is open to close cleanly yet; work it left half done (a
  // pipeline run) is failed by the next start.
  const duringStart = (signal: NodeJS.Signals) => {
    logger.warn({ signal }, "stopped while starting; an unfinished pipeline run is failed at the next start");
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", duringStart);
  process.on("SIGTERM", duringStart);
  let close: () => Promise<void>;
  try {
    close = await start();
  } catch (error) {
    logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
    process.exit(1);
  } finally {
    process.off("SIGINT", duringStart);
    process.off("SIGTERM", duringStart);
  }
  closeOnSignal(logger, close, shutdownTimeoutMs);
}

/** The shared Redis when REDIS_URL is set; a Redis that is down at start is retried in the background. */
export async function openRedis(
  url: string | undefined,
  logger: Logger,
  timeouts: Partial<RedisTimeouts> = {},
): Promise<Redis | undefined> {
  if (!url) return undefined;
  const redis = createRedis({ url, logger, timeouts });
  if (!(await connectRedis(redis, timeouts.connectTimeoutMs))) {
    logger.warn("REDIS_URL does not answer yet; starting without it");
  }
  return redis;
}
