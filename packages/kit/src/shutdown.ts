import type { Logger } from "./logger.js";

/**
 * Closes everything once on SIGINT/SIGTERM (Ctrl-C, `kubectl delete pod`), then exits 0; a second
 * signal, or a close that hangs past `timeoutMs`, exits 1 at once.
 */
export function closeOnSignal(logger: Logger, close: () => Promise<void>, timeoutMs = 10_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error("shutdown timed out");
      process.exit(1);
    }, timeoutMs).unref();
    close().then(
      () => {
        logger.info("stopped cleanly");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
