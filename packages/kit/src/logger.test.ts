import { describe, expect, it } from "vitest";
import { capturingLogger } from "./testing/loggers.js";

const API_KEY = "pw_live_4f9a1c2e7b3d8e6f";
const BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.secret-bearer";
const SIGNATURE = "v1=0123456789abcdef0123456789abcdef";
const SECRET = "subgraph-secret-0123456789-abcdefghij";
const PASSWORD = "hunter2-correct-horse";
const DB_URL = "postgres://pokewatch:db-pass-9876@db.internal:5432/pokewatch";

describe("createLogger redaction", () => {
  it("never writes secrets, and marks where they were", () => {
    const { logger, lines } = capturingLogger();
    logger.info({ headers: { "x-api-key": API_KEY, authorization: BEARER, accept: "application/json" } }, "headers");
    logger.info({ req: { headers: { "x-pokewatch-signature": SIGNATURE, "x-api-key": API_KEY } } }, "request");
    logger.info({ secret: SECRET }, "top-level secret");
    logger.info({ user: { password: PASSWORD } }, "nested password");
    logger.info({ password: PASSWORD }, "password");
    logger.info(
      {
        env: {
          SUBGRAPH_SECRET: SECRET,
          SUBGRAPH_SECRET_PREVIOUS: `${SECRET}-previous`,
          SUBGRAPH_SECRET_KEYS: `${SECRET}-keys`,
          SUBGRAPH_SECRET_PRICING_PREVIOUS: `${SECRET}-pricing-previous`,
          DATABASE_URL: DB_URL,
          LOG_LEVEL: "debug",
        },
      },
      "env",
    );
    logger.info(
      { request: { headers: { cookie: `session=${SECRET}`, "x-pokewatch-signature": SIGNATURE } } },
      "fastify request",
    );
    logger.info(
      { response: { headers: { "set-cookie": `session=${SECRET}` } }, headers: { cookie: PASSWORD } },
      "cookies",
    );

    const written = lines();
    expect(written).toHaveLength(8);
    const all = written.join("\n");
    for (const value of [API_KEY, BEARER, SIGNATURE, SECRET, PASSWORD, DB_URL, "db-pass-9876"]) {
      expect(all).not.toContain(value);
    }
    for (const line of written) expect(line).toContain("[redacted]");

    // Only the secret paths are censored; the rest of the line survives.
    const headers = JSON.parse(written[0]!) as { headers: Record<string, string> };
    expect(headers.headers).toEqual({
      "x-api-key": "[redacted]",
      authorization: "[redacted]",
      accept: "application/json",
    });
    const env = JSON.parse(written[5]!) as { env: Record<string, string>; service: string };
    expect(env.env.LOG_LEVEL).toBe("debug");
    expect(env.service).toBe("test");
  });
});
