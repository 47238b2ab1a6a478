import type { Logger } from "./logger.js";

/** How a server stops on SIGTERM (SHUTDOWN_DELAY_MS, SHUTDOWN_DRAIN_TIMEOUT_MS). */
export interface ShutdownOptions {
  /**
   * How long `/ready` answers 503 while the server still accepts and serves requests, so that a
   * load balancer (a Kubernetes Service) stops sending new ones before the port closes. @default 0
   */
  delayMs: number;
  /** How long requests in flight may take to finish once the port is closed; then they are cut. @default 10_000 */
  drainTimeoutMs: number;
}

export const DEFAULT_SHUTDOWN: ShutdownOptions = { delayMs: 0, drainTimeoutMs: 10_000 };

/** What a clean stop may take beyond the delay and the drain: flushing usage, closing Redis and the database. */
const CLOSE_MARGIN_MS = 10_000;

/** The deadline after which a shutdown that has not finished exits 1: delay, drain, then closing the rest. */
export function shutdownDeadlineMs({ delayMs, drainTimeoutMs }: ShutdownOptions = DEFAULT_SHUTDOWN): number {
  return delayMs + drainTimeoutMs + CLOSE_MARGIN_MS;
}

/**
 * Closes everything once on SIGINT/SIGTERM (Ctrl-C, `kubectl delete pod`), then exits 0; a second
 * signal, or a close that hangs past `timeoutMs`, exits 1 at once.
 */
export function closeOnSignal(logger: Logger, close: () => Promise<void>, timeoutMs = shutdownDeadlineMs()): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    close().then(
      () => {
        logger.info("stopped cleanly");
        exitAfterFlush(logger, 0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        exitAfterFlush(logger, 1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/**
 * Exits once the logger has written what it holds: when stdout is a pipe its reader has not
 * drained, pino keeps the last lines in memory, and a bare `process.exit` would drop them (the
 * "stopped cleanly" line an operator and the shutdown test look for). Bounded: exits after 1 s anyway.
 */
function exitAfterFlush(logger: Logger, code: number): void {
  process.exitCode = code;
  const exit = () => process.exit(code);
  setTimeout(exit, 1_000).unref();
  try {
    logger.flush(() => exit());
  } catch {
    exit();
  }
}
