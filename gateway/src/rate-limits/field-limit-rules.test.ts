import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { fieldLimitRulesFromSupergraph, listCostRulesFromSupergraph } from "./field-limit-rules.js";

const FEDERATION = `@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])`;

/** Composes subgraph SDLs as `pnpm compose` does, and returns the supergraph SDL. */
function supergraph(...subgraphs: string[]): string {
  const composed = composeServices(
    subgraphs.map((sdl, i) => ({ name: `sub${i}`, url: `http://sub${i}.invalid/graphql`, typeDefs: parse(sdl) })),
  );
  if (composed.errors) throw composed.errors[0];
  return composed.supergraphSdl;
}

const pricing = `
  extend schema ${FEDERATION}
    @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
    @link(url: "https://pokewatch.dev/cost/v1.0", import: ["@listCost"])
    @composeDirective(name: "@listCost")
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
  directive @listCost(argument: String!) on FIELD_DEFINITION
  type Query {
    cards(ids: [ID!]!): [Card]! @listCost(argument: "ids") @rateLimit(limit: 30, duration: 60)
    card(id: ID!): Card
    everything: [Card!]! @rateLimit
  }
  type Card @key(fields: "id") @rateLimit(limit: 100, duration: 10) {
    id: ID!
    name: String
    history(days: [Int!]): [Float!] @rateLimit(limit: 5, duration: 3600) @listCost(argument: "days")
  }
`;

const keys = `
  extend schema ${FEDERATION}
    @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
  type Mutation { createApiKey(name: String!): String @rateLimit(limit: 10, duration: 3600) }
  type Card @key(fields: "id") { id: ID!, owners: Int }
`;

describe("fieldLimitRulesFromSupergraph", () => {
  const sdl = supergraph(pricing, keys);

  it("reads each field's @rateLimit from a composed supergraph, with the definition's defaults", () => {
    expect(sdl).toContain('as: "_0graphqlratelimit", import: ["@rateLimit"]');
    const rules = fieldLimitRulesFromSupergraph(sdl);
    expect(rules.get("Query.cards")).toEqual({ limit: 30, duration: 60 });
    expect(rules.get("Query.everything")).toEqual({ limit: 60, duration: 60 });
    expect(rules.get("Mutation.createApiKey")).toEqual({ limit: 10, duration: 3600 });
    expect(rules.has("Query.card")).toBe(false);
  });

  it("applies a type's rule to each of its fields, from every subgraph, a field's own rule winning", () => {
    const rules = fieldLimitRulesFromSupergraph(sdl);
    expect(rules.get("Card.id")).toEqual({ limit: 100, duration: 10 });
    expect(rules.get("Card.name")).toEqual({ limit: 100, duration: 10 });
    expect(rules.get("Card.owners")).toEqual({ limit: 100, duration: 10 });
    expect(rules.get("Card.history")).toEqual({ limit: 5, duration: 3600 });
  });

  it("follows the name the supergraph imports @rateLimit as", () => {
    const renamed = supergraph(`
      extend schema ${FEDERATION}
        @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: [{ name: "@rateLimit", as: "@limit" }])
        @composeDirective(name: "@limit")
      directive @limit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
      type Query { a: String @limit(limit: 2), b: String @limit(duration: 1) }
    `);
    expect(renamed).toContain('import: [{name: "@rateLimit", as: "@limit"}]');
    expect(Object.fromEntries(fieldLimitRulesFromSupergraph(renamed))).toEqual({
      "Query.a": { limit: 2, duration: 60 },
      "Query.b": { limit: 60, duration: 1 },
    });
  });

  it("reads nothing when the supergraph does not link @rateLimit, whatever a directive is called", () => {
    const unlinked = `
      schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }
      directive @rateLimit(limit: Int!, duration: Int!) on FIELD_DEFINITION
      type Query { a: String @rateLimit(limit: 1, duration: 1) }
    `;
    expect(fieldLimitRulesFromSupergraph(unlinked).size).toBe(0);
    expect(listCostRulesFromSupergraph(unlinked).size).toBe(0);
  });

  it("names a linked but not imported directive by the link's namespace", () => {
    const namespaced = `
      schema
        @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", as: "rl")
        @link(url: "https://pokewatch.dev/cost/v2.0")
      { query: Query }
      type Query {
        a(ids: [ID!]): String @rl__rateLimit(limit: 3, duration: 9) @cost__listCost(argument: "ids")
        b: String @rateLimit(limit: 1, duration: 1)
      }
    `;
    expect(Object.fromEntries(fieldLimitRulesFromSupergraph(namespaced))).toEqual({
      "Query.a": { limit: 3, duration: 9 },
    });
    expect(Object.fromEntries(listCostRulesFromSupergraph(namespaced))).toEqual({ "Query.a": "ids" });
  });
});

describe("listCostRulesFromSupergraph", () => {
  it("reads each @listCost field's list argument from a composed supergraph", () => {
    expect(Object.fromEntries(listCostRulesFromSupergraph(supergraph(pricing, keys)))).toEqual({
      "Query.cards": "ids",
      "Card.history": "days",
    });
  });

  it("follows the name the supergraph imports @listCost as", () => {
    const renamed = supergraph(`
      extend schema ${FEDERATION}
        @link(url: "https://pokewatch.dev/cost/v1.0", import: [{ name: "@listCost", as: "@perItem" }])
        @composeDirective(name: "@perItem")
      directive @perItem(argument: String!) on FIELD_DEFINITION
      type Query { cards(ids: [ID!]!): [String] @perItem(argument: "ids") }
    `);
    expect(Object.fromEntries(listCostRulesFromSupergraph(renamed))).toEqual({ "Query.cards": "ids" });
  });
});
