import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scopeRulesFromSupergraph } from "./scope-rules.js";

const supergraph = readFileSync(new URL("../../../schema/supergraph.graphql", import.meta.url), "utf8");

describe("scopeRulesFromSupergraph", () => {
  it("reads the rules of the real supergraph", () => {
    const rules = scopeRulesFromSupergraph(supergraph);
    expect(rules.get("Query.fairPrices")).toEqual(["prices:read"]);
    expect(rules.get("Query.card")).toEqual(["prices:read"]);
    expect(rules.get("Query.schedules")).toEqual(["pipeline:read"]);
    expect(rules.has("Query.viewer")).toBe(false);
    expect(rules.has("Card.id")).toBe(false);
  });

  it("applies a type's rule to all its fields, a field's own rule winning", () => {
    const rules = scopeRulesFromSupergraph(`
      schema @link(url: "https://pokewatch.dev/scopes/v1.0", import: ["@scopes"]) { query: Query }
      type Query { secret: Secret, open: String }
      type Secret @scopes(anyOf: ["keys:admin"]) { id: ID!, hint: String @scopes(anyOf: ["prices:read", "pipeline:read"]) }
      extend type Secret { extra: String }
    `);
    expect(Object.fromEntries(rules)).toEqual({
      "Secret.id": ["keys:admin"],
      "Secret.extra": ["keys:admin"],
      "Secret.hint": ["prices:read", "pipeline:read"],
    });
  });

  it("follows the name the supergraph imports @scopes as", () => {
    const rules = scopeRulesFromSupergraph(`
      schema @link(url: "https://pokewatch.dev/scopes/v1.0", import: [{ name: "@scopes", as: "@needs" }]) { query: Query }
      type Query { a: String @needs(anyOf: ["prices:read"]), b: String @scopes(anyOf: ["keys:admin"]) }
    `);
    expect(Object.fromEntries(rules)).toEqual({ "Query.a": ["prices:read"] });
  });
});
