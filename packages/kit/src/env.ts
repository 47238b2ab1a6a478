import { z } from "zod";
import { requireSubgraphSecret } from "./subgraph-secrets.js";
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from "./db/database.js";
import { DEFAULT_HTTP_LIMITS, DEFAULT_MAX_BODY_BYTES, type HttpLimits } from "./http/http-app.js";
import { DEFAULT_REDIS_TIMEOUTS, type RedisTimeouts } from "./redis.js";
import { DEFAULT_SHUTDOWN, type ShutdownOptions } from "./shutdown.js";

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/**
 * Parses the environment against a zod schema, collecting every problem before failing, so an
 * operator fixes all bad variables in one go. Returns a frozen, typed object.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined>,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const value = source[String(issue.path[0])];
      const shown = value === undefined ? "is missing" : `= ${JSON.stringify(redactIfSecret(name, value))}`;
      return `${name} ${shown}: ${issue.message}`;
    });
    throw new EnvError(problems);
  }
  return Object.freeze(result.data);
}

/** `parseEnv` for a process entry point: prints every problem on stderr and exits 1. */
export function loadEnv<S extends z.ZodObject>(schema: S, source = process.env): Readonly<z.infer<S>> {
  try {
    return parseEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function redactIfSecret(name: string, value: string): string {
  return /SECRET|KEY|PASSWORD|TOKEN|_URL$/.test(name) ? "[redacted]" : value;
}

const booleanString = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

const portNumber = () =>
  z
    .string()
    .regex(/^\d{1,5}$/, "must be a port number from 0 to 65535")
    .transform(Number)
    .pipe(z.number().max(65535, "must be a port number from 0 to 65535"));

export const envFields = {
  port: (fallback: number) => portNumber().default(fallback),
  /** A port with no default: unset turns off what listens on it. */
  optionalPort: () => portNumber().optional(),
  boolean: (fallback: boolean) => booleanString.default(fallback),
  url: (protocols: string[]) =>
    z.string().refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL`,
    }),
  secret: () => z.string().min(32, "must be at least 32 characters"),
  /**
   * An optional secret where empty means unset, as Compose's `${VAR:-}` or an empty Kubernetes
   * Secret key pass it: the per-subgraph and previous secrets.
   */
  optionalSecret: () =>
    z.preprocess(
      (value) => (value === "" ? undefined : value),
      z.string().min(32, "must be at least 32 characters").optional(),
    ),
  /** A duration in whole milliseconds, within [min, max]. */
  milliseconds: (min: number, max: number, fallback: number) =>
    z
      .string()
      .regex(/^\d{1,10}$/, "must be a whole number of milliseconds")
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min} ms`).max(max, `must be at most ${max} ms`))
      .default(fallback),
};

const HOUR_MS = 3_600_000;

/** Variables every PokeWatch service reads. */
export const commonEnvShape = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().min(1).default("0.0.0.0"),
  REDIS_URL: envFields.url(["redis:", "rediss:"]).optional(),
  /** A Redis command without a reply this long fails (callers fall back to their in-process path). */
  REDIS_COMMAND_TIMEOUT_MS: envFields.milliseconds(10, 600_000, DEFAULT_REDIS_TIMEOUTS.commandTimeoutMs),
  REDIS_CONNECT_TIMEOUT_MS: envFields.milliseconds(10, 600_000, DEFAULT_REDIS_TIMEOUTS.connectTimeoutMs),
};

/** Variables of a service with a database (the subgraphs and the scripts; the gateway has none). */
export const databaseEnvShape = {
  DATA_DIR: z.string().min(1).default(".pokewatch"),
  DATABASE_URL: envFields.url(["postgres:", "postgresql:"]).optional(),
  /** Longest SQL statement (PostgreSQL statement_timeout; on PGlite, the longest wait for the database). */
  DATABASE_STATEMENT_TIMEOUT_MS: envFields.milliseconds(100, HOUR_MS, DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs),
  /** Longest wait for a PostgreSQL connection, new or from the pool. */
  DATABASE_CONNECT_TIMEOUT_MS: envFields.milliseconds(100, 600_000, DEFAULT_DATABASE_TIMEOUTS.connectTimeoutMs),
  /** A transaction left idle this long is ended by PostgreSQL (idle_in_transaction_session_timeout). */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: envFields.milliseconds(
    100,
    HOUR_MS,
    DEFAULT_DATABASE_TIMEOUTS.idleInTransactionTimeoutMs,
  ),
};

/**
 * Variables of a service that talks to the others: the shared secret and the body limit. The
 * secret is optional here because a subgraph's own `SUBGRAPH_SECRET_<NAME>` may replace it; each
 * service's schema requires one or the other (`checkSubgraphSecrets`).
 */
export const serviceEnvShape = {
  ...commonEnvShape,
  SUBGRAPH_SECRET: envFields.secret().optional(),
  MAX_BODY_BYTES: z
    .string()
    .regex(/^\d+$/, "must be a whole number of bytes")
    .transform(Number)
    .pipe(z.number().positive("must be more than 0"))
    .default(DEFAULT_MAX_BODY_BYTES),
  /** Longest time a client may take to send a whole request, headers and body (then 408). */
  HTTP_REQUEST_TIMEOUT_MS: envFields.milliseconds(100, HOUR_MS, DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  /** Longest time a client may take to send the request headers; at most HTTP_REQUEST_TIMEOUT_MS. */
  HTTP_HEADERS_TIMEOUT_MS: envFields.milliseconds(100, HOUR_MS, DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  /** A connection with no traffic either way this long is closed (must exceed the slowest answer). */
  HTTP_IDLE_TIMEOUT_MS: envFields.milliseconds(1_000, HOUR_MS, DEFAULT_HTTP_LIMITS.idleTimeoutMs),
  /** How long a keep-alive connection waits for its next request. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envFields.milliseconds(100, HOUR_MS, DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs),
  /** Open connections one server accepts; connections beyond are closed at once. */
  HTTP_MAX_CONNECTIONS: z
    .string()
    .regex(/^\d{1,7}$/, "must be a whole number of connections")
    .transform(Number)
    .pipe(z.number().min(1, "must be at least 1"))
    .default(DEFAULT_HTTP_LIMITS.maxConnections),
  /** Internal port serving `GET /metrics` (never the public one); unset: metrics are not served. */
  METRICS_PORT: envFields.optionalPort(),
  /** Clients reach the service over HTTPS (TLS ends at a load balancer): answers carry HSTS. */
  BEHIND_TLS: envFields.boolean(false),
  /** After SIGTERM, how long /ready answers 503 while requests are still served (for load balancers to notice). */
  SHUTDOWN_DELAY_MS: envFields.milliseconds(0, 600_000, DEFAULT_SHUTDOWN.delayMs),
  /** After that, how long in-flight requests may finish before their connections are cut. */
  SHUTDOWN_DRAIN_TIMEOUT_MS: envFields.milliseconds(0, 600_000, DEFAULT_SHUTDOWN.drainTimeoutMs),
};

type CommonEnv = z.infer<z.ZodObject<typeof commonEnvShape>>;
type DatabaseEnv = z.infer<z.ZodObject<typeof databaseEnvShape>>;
type ServiceEnv = z.infer<z.ZodObject<typeof serviceEnvShape>>;

/** The database bounds the environment sets. */
export function databaseTimeoutsOf(
  env: Pick<
    DatabaseEnv,
    "DATABASE_STATEMENT_TIMEOUT_MS" | "DATABASE_CONNECT_TIMEOUT_MS" | "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS"
  >,
): DatabaseTimeouts {
  return {
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** The Redis bounds the environment sets. */
export function redisTimeoutsOf(
  env: Pick<CommonEnv, "REDIS_COMMAND_TIMEOUT_MS" | "REDIS_CONNECT_TIMEOUT_MS">,
): RedisTimeouts {
  return { commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS, connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS };
}

/** What `listen` takes from the environment: the server's limits and how it shuts down. */
export function serverOptionsOf(
  env: Pick<
    ServiceEnv,
    | "HTTP_REQUEST_TIMEOUT_MS"
    | "HTTP_HEADERS_TIMEOUT_MS"
    | "HTTP_IDLE_TIMEOUT_MS"
    | "HTTP_KEEP_ALIVE_TIMEOUT_MS"
    | "HTTP_MAX_CONNECTIONS"
    | "SHUTDOWN_DELAY_MS"
    | "SHUTDOWN_DRAIN_TIMEOUT_MS"
  >,
): { limits: HttpLimits; shutdown: ShutdownOptions } {
  return {
    limits: {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    shutdown: { delayMs: env.SHUTDOWN_DELAY_MS, drainTimeoutMs: env.SHUTDOWN_DRAIN_TIMEOUT_MS },
  };
}

/**
 * What a service's runner (its `main.ts`, or `pnpm start` for the four) takes from the
 * environment besides the app's own options: the log level, where and how to listen, the metrics
 * port and the Redis connection.
 */
export interface RunnerOptions {
  logLevel: CommonEnv["LOG_LEVEL"];
  listen: { host: string; port: number; limits: HttpLimits; shutdown: ShutdownOptions };
  /** METRICS_PORT; undefined: metrics are not served. */
  metricsPort: number | undefined;
  redis: { url: string | undefined; timeouts: RedisTimeouts };
}

/** The database a subgraph's runner opens: `createDatabase(options.database)`. */
export interface DatabaseOptions {
  url: string | undefined;
  dataDir: string;
  timeouts: DatabaseTimeouts;
}

/** `RunnerOptions` of a service listening on `port` (its `<SERVICE>_PORT`). */
export function runnerOptionsOf(env: ServiceEnv, port: number): RunnerOptions {
  return {
    logLevel: env.LOG_LEVEL,
    listen: { host: env.HOST, port, ...serverOptionsOf(env) },
    metricsPort: env.METRICS_PORT,
    redis: { url: env.REDIS_URL, timeouts: redisTimeoutsOf(env) },
  };
}

/** `DatabaseOptions` from the environment. */
export function databaseOptionsOf(env: DatabaseEnv): DatabaseOptions {
  return { url: env.DATABASE_URL, dataDir: env.DATA_DIR, timeouts: databaseTimeoutsOf(env) };
}

/**
 * What every subgraph takes from the environment alike: its runner, its database, and the app
 * options of a signed subgraph (its secret and the one being rotated out, the body limit, HSTS).
 * Each service's `<service>OptionsFromEnv` adds its own settings to `app`.
 */
export function subgraphOptionsOf(env: ServiceEnv & DatabaseEnv, name: string, port: number) {
  const secret = requireSubgraphSecret(env, name);
  return {
    ...runnerOptionsOf(env, port),
    database: databaseOptionsOf(env),
    app: {
      secret: secret.current,
      previousSecret: secret.previous,
      maxBodyBytes: env.MAX_BODY_BYTES,
      behindTls: env.BEHIND_TLS,
    },
  };
}
