import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { changesAsMarkdown, changesAsText, diffSupergraphs } from "./schema-diff.js";

const FEDERATION = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@inaccessible"])`;

/** A one-subgraph supergraph, composed as `pnpm compose` would. */
function supergraph(typeDefs: string, url = "http://pricing:4001/graphql"): string {
  const result = composeServices([{ name: "pricing", url, typeDefs: parse(`${FEDERATION}\n${typeDefs}`) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

const BASE = supergraph(`
  type Query { card(id: ID!): Card }
  type Card @key(fields: "id") { id: ID! name: String! legacyCode: String signal: Signal }
  enum Signal { BUY SELL }
`);

const paths = (changes: { path: string | undefined }[]) => changes.map((change) => change.path);

describe("diffSupergraphs", () => {
  it("classes a removed field as breaking, a new enum value as dangerous and a new field as safe", async () => {
    const head = supergraph(`
      type Query { card(id: ID!): Card }
      type Card @key(fields: "id") { id: ID! name: String! rarity: String signal: Signal }
      enum Signal { BUY SELL HOLD }
    `);
    const changes = await diffSupergraphs(BASE, head);
    expect(paths(changes.breaking)).toEqual(["Card.legacyCode"]);
    expect(changes.breaking[0]!.message).toMatch(/legacyCode.*removed/);
    expect(paths(changes.dangerous)).toEqual(["Signal.HOLD"]);
    expect(paths(changes.safe)).toEqual(["Card.rarity"]);
  });

  it("compares what clients see: routing is no change, an @inaccessible field is a removed one", async () => {
    const moved = BASE.replace("http://pricing:4001/graphql", "http://localhost:4001/graphql");
    expect(moved).not.toBe(BASE);
    expect(await diffSupergraphs(BASE, moved)).toEqual({ breaking: [], dangerous: [], safe: [] });

    const hidden = supergraph(`
      type Query { card(id: ID!): Card }
      type Card @key(fields: "id") { id: ID! name: String! legacyCode: String @inaccessible signal: Signal }
      enum Signal { BUY SELL }
    `);
    expect(paths((await diffSupergraphs(BASE, hidden)).breaking)).toEqual(["Card.legacyCode"]);
  });
});

describe("the change list", () => {
  const changes = {
    breaking: [{ message: "Field 'legacyCode' was removed from object type 'Card'", path: "Card.legacyCode" }],
    dangerous: [],
    safe: [{ message: "Description changed to 'two\nlines'", path: undefined }],
  };

  it("prints each change on one line under its group, with its path", () => {
    expect(changesAsText(changes, "origin/main")).toBe(
      [
        "Schema changes against origin/main: 1 breaking, 0 dangerous, 1 safe",
        "Breaking:",
        "  ✖ Field 'legacyCode' was removed from object type 'Card'  (Card.legacyCode)",
        "Safe:",
        "  ✔ Description changed to 'two lines'",
        "",
      ].join("\n"),
    );
    expect(changesAsText({ breaking: [], dangerous: [], safe: [] }, "HEAD")).toBe("No schema changes against HEAD\n");
  });

  it("writes markdown for a job summary", () => {
    const markdown = changesAsMarkdown(changes, "origin/main");
    expect(markdown).toContain("### Schema changes against `origin/main`\n\n1 breaking, 0 dangerous, 1 safe\n");
    expect(markdown).toContain(
      "#### Breaking\n\n- Field 'legacyCode' was removed from object type 'Card' — `Card.legacyCode`\n",
    );
    expect(markdown).not.toContain("#### Dangerous");
    expect(changesAsMarkdown({ breaking: [], dangerous: [], safe: [] }, "HEAD")).toContain(
      "No changes to the public schema.",
    );
  });
});
