import { EnvError, parseEnv } from "@pokewatch/kit";
import { TEST_SECRET } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { gatewayEnvSchema } from "./env.js";

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
