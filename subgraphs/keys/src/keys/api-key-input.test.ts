import { API_KEY_SCOPES } from "@pokewatch/kit";
import { rejection } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { validateCreateApiKeyInput, type CreateApiKeyInput } from "./api-key-input.js";

const now = new Date("2026-06-01T12:00:00.000Z");
const validate = (input: Partial<CreateApiKeyInput>) =>
  validateCreateApiKeyInput({ name: "job", scopes: ["prices:read"], ...input }, { now, defaultRateLimitPerMinute: 60 });

describe("validateCreateApiKeyInput", () => {
  it("trims the name, de-duplicates scopes and fills in the defaults", () => {
    expect(validate({ name: "  price-sync job \n", scopes: ["prices:read", "keys:admin", "prices:read"] })).toEqual({
      name: "price-sync job",
      scopes: ["prices:read", "keys:admin"],
      expiresAt: null,
      rateLimitPerMinute: 60,
      environment: "live",
    });
  });

  it("keeps every valid field as given", () => {
    const expiresAt = new Date(now.getTime() + 1);
    const input = { name: "x".repeat(100), scopes: [...API_KEY_SCOPES], expiresAt, rateLimitPerMinute: 100_000 };
    expect(validate({ ...input, environment: "test" })).toEqual({ ...input, environment: "test" });
    expect(validate({ rateLimitPerMinute: 1, expiresAt: null }).rateLimitPerMinute).toBe(1);
    expect(validate({ name: "é".repeat(100) }).name).toHaveLength(100);
  });

  const invalid: Array<[string, Partial<CreateApiKeyInput>, string]> = [
    ["a blank name", { name: "   " }, "input.name"],
    ["a name of 101 characters", { name: "x".repeat(101) }, "input.name"],
    ["a missing name", { name: undefined }, "input.name"],
    ["no scopes", { scopes: [] }, "input.scopes"],
    ["an unknown scope", { scopes: ["prices:read", "prices:write"] }, "input.scopes"],
    ["a rate limit of 0", { rateLimitPerMinute: 0 }, "input.rateLimitPerMinute"],
    ["a rate limit over 100000", { rateLimitPerMinute: 100_001 }, "input.rateLimitPerMinute"],
    ["a fractional rate limit", { rateLimitPerMinute: 1.5 }, "input.rateLimitPerMinute"],
    ["an expiry of now", { expiresAt: now }, "input.expiresAt"],
    ["an expiry in the past", { expiresAt: new Date(now.getTime() - 60_000) }, "input.expiresAt"],
    ["an invalid expiry", { expiresAt: new Date("nope") }, "input.expiresAt"],
    ["an unknown environment", { environment: "prod" as "live" }, "input.environment"],
  ];

  it.each(invalid)("refuses %s as BAD_USER_INPUT naming the field", (_case, input, argument) => {
    const error = rejection(() => validate(input));
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
    expect(error.message).toContain(argument.replace("input.", ""));
  });
});
