import { parseEnv } from "@pokewatch/kit";
import { BASE_TEST_ENV, variablesWithoutEffect } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { pricingEnvSchema } from "./env.js";
import { pricingOptionsFromEnv } from "./pricing-options-from-env.js";

describe("pricingOptionsFromEnv", () => {
  it("turns every variable of the pricing schema into an option", () => {
    expect(variablesWithoutEffect(pricingEnvSchema, pricingOptionsFromEnv)).toEqual({ unused: [], untested: [] });
  });

  it("maps the variables to the app's options and the runner's", () => {
    const env = parseEnv(pricingEnvSchema, { ...BASE_TEST_ENV, MODEL_POLL_SECONDS: "5", DATA_DIR: "/data" });
    const options = pricingOptionsFromEnv(env);
    expect(options.listen.port).toBe(4001);
    expect(options.app).toMatchObject({ secret: BASE_TEST_ENV.SUBGRAPH_SECRET, dataDir: "/data" });
    expect(options.app.settings.modelPollSeconds).toBe(5);
    expect(options.database.dataDir).toBe("/data");
  });
});
