import { Writable } from "node:stream";
import { createLogger, type Logger } from "../logger.js";

/** A logger that writes nowhere. */
export function silentLogger(): Logger {
  return createLogger({ name: "test", level: "silent" });
}

/** A logger whose lines are kept, so a test can read what would have been written. */
export function capturingLogger(name = "test"): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ name, level: "trace", destination });
  return { logger, lines: () => chunks.join("").split("\n").filter(Boolean) };
}
