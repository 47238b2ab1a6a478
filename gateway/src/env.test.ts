import { EnvError, parseEnv } from "@pokewatch/kit";
import { TEST_SECRET } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { gatewayEnvSchema, subgraphSigningSecrets } from "./env.js";

const parse = (vars: Record<string, string> = {}) =>
  parseEnv(gatewayEnvSchema, { SUBGRAPH_SECRET: TEST_SECRET, ...vars });

describe("gateway env: revocation and failed-auth throttle", () => {
  it("defaults to a 2 s unannounced TTL, 20 failures a minute and no proxy trusted", () => {
    const env = parse();
    expect(env.AUTH_CACHE_UNANNOUNCED_TTL_MS).toBe(2_000);
    expect(env.AUTH_FAILURES_PER_MINUTE).toBe(20);
    expect(env.TRUST_PROXY).toBe(false);
  });

  it("reads TRUST_PROXY as true or a list of proxies", () => {
    expect(parse({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
    expect(parse({ TRUST_PROXY: "10.0.0.0/8, loopback" }).TRUST_PROXY).toBe("10.0.0.0/8,loopback");
  });

  it("names every bad value at once", () => {
    let error: unknown;
    try {
      parse({ TRUST_PROXY: "2", AUTH_FAILURES_PER_MINUTE: "0", AUTH_CACHE_UNANNOUNCED_TTL_MS: "99999999" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join("\n");
    expect(problems).toMatch(/TRUST_PROXY = "2": "2" is not an IP address/);
    expect(problems).toMatch(/AUTH_FAILURES_PER_MINUTE = "0": must be at least 1/);
    expect(problems).toMatch(/AUTH_CACHE_UNANNOUNCED_TTL_MS = "99999999": must be at most 60000 ms/);
  });
});

const SHARED = "shared-secret-of-at-least-32-characters";
const PRICING = "pricing-own-secret-of-at-least-32-chars";
const KEYS = "keys-own-secret-of-at-least-32-characters";
const PIPELINE = "pipeline-own-secret-of-at-least-32-chars";

const problemsOf = (source: Record<string, string>) => {
  try {
    parseEnv(gatewayEnvSchema, source);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
};

describe("gateway environment: subgraph secrets", () => {
  it("signs every subgraph with SUBGRAPH_SECRET when none has its own", () => {
    const env = parseEnv(gatewayEnvSchema, { SUBGRAPH_SECRET: SHARED });
    expect(subgraphSigningSecrets(env)).toEqual({ pricing: SHARED, keys: SHARED, pipeline: SHARED });
  });

  it("signs each subgraph with its own secret, the rest with the shared one", () => {
    const env = parseEnv(gatewayEnvSchema, { SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_KEYS: KEYS });
    expect(subgraphSigningSecrets(env)).toEqual({ pricing: SHARED, keys: KEYS, pipeline: SHARED });
  });

  it("needs no SUBGRAPH_SECRET when all three have their own, and names those without otherwise", () => {
    const own = { SUBGRAPH_SECRET_PRICING: PRICING, SUBGRAPH_SECRET_KEYS: KEYS, SUBGRAPH_SECRET_PIPELINE: PIPELINE };
    expect(subgraphSigningSecrets(parseEnv(gatewayEnvSchema, own))).toEqual({
      pricing: PRICING,
      keys: KEYS,
      pipeline: PIPELINE,
    });
    expect(problemsOf({ SUBGRAPH_SECRET_PRICING: PRICING })).toEqual([
      expect.stringMatching(
        /^SUBGRAPH_SECRET is missing: required unless SUBGRAPH_SECRET_KEYS and SUBGRAPH_SECRET_PIPELINE are set/,
      ),
    ]);
  });

  it("refuses one secret for two subgraphs, which would let either sign for the other", () => {
    const problems = problemsOf({ SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_KEYS: SHARED });
    expect(problems).toEqual([
      expect.stringMatching(/^SUBGRAPH_SECRET_KEYS = "\[redacted\]": must differ from SUBGRAPH_SECRET/),
    ]);
  });
});
