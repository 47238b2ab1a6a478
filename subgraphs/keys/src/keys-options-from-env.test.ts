import { parseEnv } from "@pokewatch/kit";
import { ALTERNATIVE_ENV_VALUES, BASE_TEST_ENV, variablesWithoutEffect } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { keysEnvSchema } from "./env.js";
import { keysOptionsFromEnv } from "./keys-options-from-env.js";

describe("keysOptionsFromEnv", () => {
  it("turns every variable of the keys schema into an option", () => {
    expect(variablesWithoutEffect(keysEnvSchema, keysOptionsFromEnv)).toEqual({ unused: [], untested: [] });
  });

  it("maps the variables to the app's options and the runner's", () => {
    const env = parseEnv(keysEnvSchema, {
      ...BASE_TEST_ENV,
      KEYS_PORT: "5002",
      RATE_LIMIT_RPM: "30",
      POKEWATCH_ADMIN_KEY: ALTERNATIVE_ENV_VALUES.POKEWATCH_ADMIN_KEY,
      SUBGRAPH_SECRET_KEYS: "k".repeat(32),
    });
    const options = keysOptionsFromEnv(env);
    expect(options.listen).toMatchObject({ host: "0.0.0.0", port: 5002 });
    expect(options.app).toMatchObject({
      secret: "k".repeat(32),
      adminKey: ALTERNATIVE_ENV_VALUES.POKEWATCH_ADMIN_KEY,
      defaultRateLimitPerMinute: 30,
    });
    expect(options.database).toMatchObject({ url: undefined, dataDir: ".pokewatch" });
  });
});
