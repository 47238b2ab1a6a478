import { EnvError, parseEnv } from "@pokewatch/kit";
import { describe, expect, it } from "vitest";
import { gatewayEnvSchema, subgraphSigningSecrets } from "./env.js";

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
