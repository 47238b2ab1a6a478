import { connectRedis, createRedis, type Redis } from "./redis.js";
import type { Logger } from "./logger.js";
import { closeOnSignal } from "./shutdown.js";

/**
 * A process entry point: starts the service, closes it on SIGINT/SIGTERM, and turns a failed
 * start (port taken, database unreachable) into one log line and exit code 1, not a stack dump.
 */
export async function runService(logger: Logger, start: () => Promise<() => Promise<void>>): Promise<void> {
  let close: () => Promise<void>;
  try {
    close = await start();
  } catch (error) {
    logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  closeOnSignal(logger, close);
}

/** The shared Redis when REDIS_URL is set; a Redis that is down at start is retried in the background. */
export async function openRedis(url: string | undefined, logger: Logger): Promise<Redis | undefined> {
  if (!url) return undefined;
  const redis = createRedis({ url, logger });
  if (!(await connectRedis(redis))) logger.warn("REDIS_URL does not answer yet; starting without it");
  return redis;
}
