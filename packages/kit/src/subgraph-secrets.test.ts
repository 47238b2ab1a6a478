import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvError, envFields, parseEnv } from "./env.js";
import {
  checkSubgraphSecrets,
  requireSubgraphSecret,
  subgraphSecretOf,
  subgraphSecretVariable,
} from "./subgraph-secrets.js";

const SHARED = "shared-secret-of-at-least-32-characters";
const SHARED_OLD = "shared-secret-before-rotation-32-chars";
const PRICING = "pricing-own-secret-of-at-least-32-chars";
const PRICING_OLD = "pricing-secret-before-rotation-32-chars";
const KEYS = "keys-own-secret-of-at-least-32-characters";

const optionalSecret = envFields.optionalSecret();
const secretShape = {
  SUBGRAPH_SECRET: optionalSecret,
  SUBGRAPH_SECRET_PREVIOUS: optionalSecret,
  SUBGRAPH_SECRET_PRICING: optionalSecret,
  SUBGRAPH_SECRET_PRICING_PREVIOUS: optionalSecret,
  SUBGRAPH_SECRET_KEYS: optionalSecret,
  SUBGRAPH_SECRET_PIPELINE: optionalSecret,
};
const gatewayLike = z.object(secretShape).superRefine(checkSubgraphSecrets(["pricing", "keys", "pipeline"]));
const pricingLike = z.object(secretShape).superRefine(checkSubgraphSecrets(["pricing"]));

function problemsOf(schema: z.ZodObject, source: Record<string, string>): string[] {
  try {
    parseEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe("subgraphSecretOf", () => {
  it("names each subgraph's variable", () => {
    expect(subgraphSecretVariable("pricing")).toBe("SUBGRAPH_SECRET_PRICING");
    expect(subgraphSecretVariable("price-history")).toBe("SUBGRAPH_SECRET_PRICE_HISTORY");
  });

  it("falls back to the shared secret, and to the shared previous one, when a subgraph has none of its own", () => {
    expect(subgraphSecretOf({ SUBGRAPH_SECRET: SHARED }, "keys")).toEqual({ current: SHARED });
    expect(subgraphSecretOf({ SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PREVIOUS: SHARED_OLD }, "keys")).toEqual({
      current: SHARED,
      previous: SHARED_OLD,
    });
    expect(subgraphSecretOf({}, "keys")).toBeUndefined();
  });

  it("uses a subgraph's own pair when its own secret is set, never the shared previous one", () => {
    const env = {
      SUBGRAPH_SECRET: SHARED,
      SUBGRAPH_SECRET_PREVIOUS: SHARED_OLD,
      SUBGRAPH_SECRET_PRICING: PRICING,
    };
    expect(subgraphSecretOf(env, "pricing")).toEqual({ current: PRICING });
    expect(subgraphSecretOf({ ...env, SUBGRAPH_SECRET_PRICING_PREVIOUS: PRICING_OLD }, "pricing")).toEqual({
      current: PRICING,
      previous: PRICING_OLD,
    });
    // The other subgraphs keep the shared pair.
    expect(subgraphSecretOf(env, "keys")).toEqual({ current: SHARED, previous: SHARED_OLD });
  });

  it("accepts a subgraph's own previous secret on its way back to the shared one", () => {
    expect(subgraphSecretOf({ SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PRICING_PREVIOUS: PRICING }, "pricing")).toEqual(
      {
        current: SHARED,
        previous: PRICING,
      },
    );
  });

  it("drops a previous secret equal to the current one", () => {
    expect(subgraphSecretOf({ SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PREVIOUS: SHARED }, "keys")).toEqual({
      current: SHARED,
    });
  });

  it("requireSubgraphSecret names both variables when there is none", () => {
    expect(() => requireSubgraphSecret({}, "keys")).toThrow(/SUBGRAPH_SECRET or SUBGRAPH_SECRET_KEYS/);
  });
});

describe("checkSubgraphSecrets", () => {
  it("needs SUBGRAPH_SECRET unless every subgraph has its own, naming those without", () => {
    expect(problemsOf(pricingLike, {})).toEqual([
      "SUBGRAPH_SECRET is missing: required unless SUBGRAPH_SECRET_PRICING is set: pricing would have no secret to sign with",
    ]);
    expect(problemsOf(pricingLike, { SUBGRAPH_SECRET_PRICING: PRICING })).toEqual([]);
    expect(problemsOf(gatewayLike, { SUBGRAPH_SECRET_PRICING: PRICING })).toEqual([
      "SUBGRAPH_SECRET is missing: required unless SUBGRAPH_SECRET_KEYS and SUBGRAPH_SECRET_PIPELINE are set: keys, pipeline would have no secret to sign with",
    ]);
    expect(problemsOf(gatewayLike, { SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PRICING: PRICING })).toEqual([]);
  });

  it("refuses a subgraph's own secret that is also the shared one or another subgraph's, without showing it", () => {
    const sameAsShared = problemsOf(pricingLike, { SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PRICING: SHARED });
    expect(sameAsShared).toEqual([
      'SUBGRAPH_SECRET_PRICING = "[redacted]": must differ from SUBGRAPH_SECRET: a subgraph\'s own secret must not be able to sign for another',
    ]);
    const shared = problemsOf(gatewayLike, {
      SUBGRAPH_SECRET_PRICING: KEYS,
      SUBGRAPH_SECRET_KEYS: KEYS,
      SUBGRAPH_SECRET_PIPELINE: PRICING,
    });
    expect(shared.map((problem) => problem.split(" ")[0])).toEqual(["SUBGRAPH_SECRET_PRICING", "SUBGRAPH_SECRET_KEYS"]);
    expect(shared.join("\n")).not.toContain(KEYS);
  });

  it("reads an empty per-subgraph secret as unset (Compose's ${VAR:-}), and a short one as a mistake", () => {
    const env = parseEnv(pricingLike, {
      SUBGRAPH_SECRET: SHARED,
      SUBGRAPH_SECRET_PRICING: "",
      SUBGRAPH_SECRET_PREVIOUS: "",
    });
    expect(subgraphSecretOf(env, "pricing")).toEqual({ current: SHARED });
    expect(problemsOf(pricingLike, { SUBGRAPH_SECRET: SHARED, SUBGRAPH_SECRET_PRICING: "short" })).toEqual([
      'SUBGRAPH_SECRET_PRICING = "[redacted]": must be at least 32 characters',
    ]);
  });

  it("lets pnpm start leave every secret unset (required: false), and still refuses shared ones", () => {
    const stackLike = z.object(secretShape).superRefine(checkSubgraphSecrets(["pricing", "keys"], { required: false }));
    expect(problemsOf(stackLike, {})).toEqual([]);
    expect(problemsOf(stackLike, { SUBGRAPH_SECRET_PRICING: KEYS, SUBGRAPH_SECRET_KEYS: KEYS })).toHaveLength(2);
  });
});
