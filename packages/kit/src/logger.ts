import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { SUBGRAPH_NAMES, subgraphSecretVariable } from "./subgraph-secrets.js";

export type { Logger } from "pino";

/**
 * Paths that can carry a secret. pino replaces them before a line is written, so an API key, the
 * subgraph signature or a connection password never reaches a log sink.
 */
export const REDACTED_PATHS = [
  "secret",
  "*.secret",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "cookie",
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  'headers["x-pokewatch-signature"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-api-key"]',
  '*.headers["x-pokewatch-signature"]',
  '*.headers["set-cookie"]',
  "env.SUBGRAPH_SECRET",
  "env.SUBGRAPH_SECRET_PREVIOUS",
  ...SUBGRAPH_NAMES.flatMap((name) => [
    `env.${subgraphSecretVariable(name)}`,
    `env.${subgraphSecretVariable(name)}_PREVIOUS`,
  ]),
  "env.POKEWATCH_ADMIN_KEY",
  "env.DATABASE_URL",
  "env.REDIS_URL",
];

export interface CreateLoggerOptions {
  /** Service name, written on every line as `service`. */
  name: string;
  /** @default "info" */
  level?: LoggerOptions["level"];
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

export function createLogger({ name, level = "info", destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: name },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
