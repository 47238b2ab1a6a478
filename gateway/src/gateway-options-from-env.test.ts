import { parseEnv } from "@pokewatch/kit";
import { BASE_TEST_ENV, variablesWithoutEffect } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { gatewayEnvSchema } from "./env.js";
import { gatewayOptionsFromEnv } from "./gateway-options-from-env.js";

describe("gatewayOptionsFromEnv", () => {
  it("turns every variable of the gateway schema into an option", () => {
    expect(variablesWithoutEffect(gatewayEnvSchema, gatewayOptionsFromEnv)).toEqual({ unused: [], untested: [] });
  });

  it("signs each subgraph with its own secret, the shared one otherwise", () => {
    const env = parseEnv(gatewayEnvSchema, { ...BASE_TEST_ENV, SUBGRAPH_SECRET_KEYS: "k".repeat(32) });
    const { app } = gatewayOptionsFromEnv(env);
    expect(app.secret).toBe(BASE_TEST_ENV.SUBGRAPH_SECRET);
    expect(app.subgraphSecrets).toEqual({
      pricing: BASE_TEST_ENV.SUBGRAPH_SECRET,
      keys: "k".repeat(32),
      pipeline: BASE_TEST_ENV.SUBGRAPH_SECRET,
    });
  });
});
