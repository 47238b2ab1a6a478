import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_DATABASE_TIMEOUTS } from "./db/database.js";
import {
  EnvError,
  commonEnvShape,
  databaseEnvShape,
  databaseTimeoutsOf,
  envFields,
  loadEnv,
  parseEnv,
  redisTimeoutsOf,
  serverOptionsOf,
  serviceEnvShape,
} from "./env.js";
import { DEFAULT_HTTP_LIMITS } from "./http/http-app.js";
import { DEFAULT_REDIS_TIMEOUTS } from "./redis.js";
import { DEFAULT_SHUTDOWN } from "./shutdown.js";

const schema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  PORT: envFields.port(4000),
  SUBGRAPH_SECRET: envFields.secret(),
  DEBUG_SQL: envFields.boolean(false),
});
const GOOD_SECRET = "s".repeat(32);

function envErrorOf(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected parseEnv to throw an EnvError");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("parseEnv", () => {
  it("collects every bad variable into one EnvError", () => {
    const error = envErrorOf({
      PORT: "not-a-port",
      LOG_LEVEL: "loud",
      SUBGRAPH_SECRET: GOOD_SECRET,
      DEBUG_SQL: "maybe",
    });
    expect(error.problems).toHaveLength(3);
    for (const name of ["PORT", "LOG_LEVEL", "DEBUG_SQL"]) expect(error.message).toContain(name);
    // Values of non-secret variables are shown, so the operator sees what was wrong.
    expect(error.message).toContain('"loud"');
  });

  it("reports unparseable URLs and empty values as bad variables instead of crashing", () => {
    const error = envErrorOf({ SUBGRAPH_SECRET: GOOD_SECRET, DATABASE_URL: "nope", REDIS_URL: "", PORT: "" });
    const names = error.problems.map((problem) => problem.split(" ")[0]);
    expect(names.sort()).toEqual(["DATABASE_URL", "PORT", "REDIS_URL"]);
    expect(error.message).not.toContain("nope");
  });

  it("refuses a port written as 4e3 or 0x10, which would otherwise pass as numbers", () => {
    expect(envErrorOf({ SUBGRAPH_SECRET: GOOD_SECRET, PORT: "4e3" }).message).toMatch(/PORT/);
    expect(envErrorOf({ SUBGRAPH_SECRET: GOOD_SECRET, PORT: "0x10" }).message).toMatch(/PORT/);
  });

  it("reports a missing required variable as missing", () => {
    const error = envErrorOf({});
    expect(error.problems).toEqual([expect.stringMatching(/^SUBGRAPH_SECRET is missing: /)]);
  });

  it("shows secret-looking values as [redacted]", () => {
    const shortSecret = "tiny-secret-value";
    const badUrl = "mysql://admin:hunter2@db.internal/prices";
    const error = envErrorOf({ SUBGRAPH_SECRET: shortSecret, DATABASE_URL: badUrl });
    expect(error.message).toContain("SUBGRAPH_SECRET");
    expect(error.message).toContain("DATABASE_URL");
    expect(error.message).toContain("[redacted]");
    expect(error.message).not.toContain(shortSecret);
    expect(error.message).not.toContain("hunter2");
  });

  it("applies defaults and returns a frozen object", () => {
    const env = parseEnv(schema, { SUBGRAPH_SECRET: GOOD_SECRET });
    expect(env).toEqual({
      LOG_LEVEL: "info",
      HOST: "0.0.0.0",
      DATA_DIR: ".pokewatch",
      DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 60_000,
      REDIS_COMMAND_TIMEOUT_MS: 2_000,
      REDIS_CONNECT_TIMEOUT_MS: 2_000,
      PORT: 4000,
      SUBGRAPH_SECRET: GOOD_SECRET,
      DEBUG_SQL: false,
    });
    expect(Object.isFrozen(env)).toBe(true);
    expect(() => {
      (env as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });

  it("coerces the port and accepts postgres URLs", () => {
    const env = parseEnv(schema, {
      SUBGRAPH_SECRET: GOOD_SECRET,
      PORT: "4100",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
    });
    expect(env.PORT).toBe(4100);
    expect(env.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/test");
  });
});

describe("envFields.boolean", () => {
  const flags = z.object({ FLAG: envFields.boolean(false) });

  it.each([
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
  ])("parses %j as %s", (raw, expected) => {
    expect(parseEnv(flags, { FLAG: raw }).FLAG).toBe(expected);
  });

  it("rejects anything else", () => {
    expect(() => parseEnv(flags, { FLAG: "yes" })).toThrow(/FLAG = "yes": must be true or false/);
  });
});

describe("loadEnv", () => {
  class ExitCalled extends Error {
    constructor(readonly code: unknown) {
      super(`process.exit(${String(code)})`);
    }
  }

  it("prints every problem on stderr and exits 1", () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new ExitCalled(code);
    });

    expect(() => loadEnv(schema, { PORT: "-1", SUBGRAPH_SECRET: "short" })).toThrow(ExitCalled);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    const output = written.join("");
    expect(output).toContain("Invalid environment");
    expect(output).toContain("PORT");
    expect(output).toContain("SUBGRAPH_SECRET");
    expect(output).not.toContain('"short"');
  });

  it("returns the parsed env without exiting when it is valid", () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new ExitCalled(code);
    });
    expect(loadEnv(schema, { SUBGRAPH_SECRET: GOOD_SECRET }).PORT).toBe(4000);
    expect(exit).not.toHaveBeenCalled();
  });
});

describe("timeouts and limits", () => {
  const service = z.object({ ...serviceEnvShape, ...databaseEnvShape });

  it("defaults every bound, and hands them to the database, Redis and listen", () => {
    const env = parseEnv(service, { SUBGRAPH_SECRET: GOOD_SECRET });
    expect(databaseTimeoutsOf(env)).toEqual(DEFAULT_DATABASE_TIMEOUTS);
    expect(redisTimeoutsOf(env)).toEqual(DEFAULT_REDIS_TIMEOUTS);
    expect(serverOptionsOf(env)).toEqual({ limits: DEFAULT_HTTP_LIMITS, shutdown: DEFAULT_SHUTDOWN });
  });

  it("reads them from the environment", () => {
    const env = parseEnv(service, {
      SUBGRAPH_SECRET: GOOD_SECRET,
      DATABASE_STATEMENT_TIMEOUT_MS: "5000",
      HTTP_REQUEST_TIMEOUT_MS: "20000",
      HTTP_MAX_CONNECTIONS: "100",
      SHUTDOWN_DELAY_MS: "5000",
    });
    expect(databaseTimeoutsOf(env).statementTimeoutMs).toBe(5_000);
    expect(serverOptionsOf(env).limits).toMatchObject({ requestTimeoutMs: 20_000, maxConnections: 100 });
    expect(serverOptionsOf(env).shutdown.delayMs).toBe(5_000);
  });

  it("refuses bounds that are not whole milliseconds in range, naming each variable", () => {
    const error = (() => {
      try {
        parseEnv(service, {
          SUBGRAPH_SECRET: GOOD_SECRET,
          DATABASE_STATEMENT_TIMEOUT_MS: "0",
          REDIS_COMMAND_TIMEOUT_MS: "1.5",
          HTTP_MAX_CONNECTIONS: "0",
          SHUTDOWN_DRAIN_TIMEOUT_MS: "ten",
        });
      } catch (caught) {
        return caught as EnvError;
      }
      throw new Error("expected an EnvError");
    })();
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain("DATABASE_STATEMENT_TIMEOUT_MS");
    expect(error.message).toContain("must be at least 100 ms");
    expect(error.message).toContain("REDIS_COMMAND_TIMEOUT_MS");
    expect(error.message).toContain("HTTP_MAX_CONNECTIONS");
    expect(error.message).toContain("SHUTDOWN_DRAIN_TIMEOUT_MS");
  });
});
