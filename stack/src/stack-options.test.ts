import { isDeepStrictEqual } from "node:util";
import { gatewayEnvSchema, gatewayOptionsFromEnv } from "@pokewatch/gateway";
import { keysEnvSchema, keysOptionsFromEnv } from "@pokewatch/keys";
import { parseEnv } from "@pokewatch/kit";
import { BASE_TEST_ENV, envWithAlternative } from "@pokewatch/kit/testing";
import { pipelineEnvSchema, pipelineOptionsFromEnv } from "@pokewatch/pipeline";
import { pricingEnvSchema, pricingOptionsFromEnv } from "@pokewatch/pricing";
import { describe, expect, it } from "vitest";
import { stackEnvSchema } from "./stack-env.js";
import { stackOptionsFromEnv } from "./stack-options.js";

const services = {
  gateway: { schema: gatewayEnvSchema, optionsOf: gatewayOptionsFromEnv },
  pricing: { schema: pricingEnvSchema, optionsOf: pricingOptionsFromEnv },
  keys: { schema: keysEnvSchema, optionsOf: keysOptionsFromEnv },
  pipeline: { schema: pipelineEnvSchema, optionsOf: pipelineOptionsFromEnv },
};

/*
 * Each service's own test proves every variable of its schema changes its options; this one
 * proves `pnpm start` makes the same options of the same environment, variable by variable. What
 * the stack then does differently is on purpose and stays in start-stack.ts: the subgraphs listen
 * on loopback without a shutdown delay, and one database, Redis and metrics listener serve all four.
 */
describe("stackOptionsFromEnv", () => {
  for (const [name, { schema, optionsOf }] of Object.entries(services)) {
    it(`gives ${name} the options its own entry point makes, for every variable of its schema`, () => {
      const fromStack = (source: Record<string, string>) =>
        stackOptionsFromEnv(parseEnv(stackEnvSchema, source))[name as keyof typeof services];
      const standalone = (source: Record<string, string>) =>
        (optionsOf as (env: unknown) => unknown)(parseEnv(schema, source));
      const base = fromStack(BASE_TEST_ENV);
      expect(base).toEqual(standalone(BASE_TEST_ENV));
      const disagree: string[] = [];
      const unused: string[] = [];
      for (const variable of Object.keys(schema.shape)) {
        const source = envWithAlternative(variable);
        if (!isDeepStrictEqual(fromStack(source), standalone(source))) disagree.push(variable);
        if (isDeepStrictEqual(fromStack(source), base)) unused.push(variable);
      }
      expect({ disagree, unused }).toEqual({ disagree: [], unused: [] });
    });
  }

  it("accepts the union of the four schemas", () => {
    const variables = Object.values(services).flatMap(({ schema }) => Object.keys(schema.shape));
    expect(Object.keys(stackEnvSchema.shape).sort()).toEqual([...new Set(variables)].sort());
  });

  it("gives each subgraph without a secret one of its own, which the gateway signs with", () => {
    let n = 0;
    const options = stackOptionsFromEnv(parseEnv(stackEnvSchema, {}), () => `secret-${++n}`.padEnd(32, "x"));
    const secrets = {
      pricing: options.pricing.app.secret,
      keys: options.keys.app.secret,
      pipeline: options.pipeline.app.secret,
    };
    expect(new Set(Object.values(secrets)).size).toBe(3);
    expect(options.gateway.app.subgraphSecrets).toEqual(secrets);
    expect(options.gateway.app.secret).toBeUndefined();
  });
});
