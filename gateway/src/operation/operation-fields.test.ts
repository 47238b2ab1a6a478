import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { graphql } from "./graphql-instance.js";
import { fragmentsOf, operationFields, type SelectedField } from "./operation-fields.js";

const { buildSchema, getVariableValues } = graphql;
const schema = buildSchema(`
  interface Node { id: ID! }
  type Card implements Node { id: ID!, name: String!, price(currency: String = "USD"): Float, set: CardSet }
  type CardSet implements Node { id: ID!, cards(first: Int!): [Card!]! }
  union Thing = Card | CardSet
  type Query { card(id: ID!): Card, node(id: ID!): Node, things: [Thing!]! }
`);

function fields(query: string, variables: Record<string, unknown> = {}): SelectedField[] {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (errors) throw errors[0];
  return [...operationFields({ schema, operation, fragments: fragmentsOf(document), variableValues: coerced })];
}
const keys = (found: SelectedField[]) => found.map((f) => `${f.parentType}.${f.fieldName}@${f.path.join("/")}`);

describe("operationFields", () => {
  it("yields every field with its parent type, alias, path and coerced arguments", () => {
    const found = fields(`query ($id: ID!) { c: card(id: $id) { name price set { cards(first: 2) { id } } } }`, {
      id: "sv3pt5-6",
    });
    expect(keys(found)).toEqual([
      "Query.card@c",
      "Card.name@c/name",
      "Card.price@c/price",
      "Card.set@c/set",
      "CardSet.cards@c/set/cards",
      "Card.id@c/set/cards/id",
    ]);
    expect(found[0]).toMatchObject({ responseKey: "c", fieldName: "card", args: { id: "sv3pt5-6" } });
    expect(found[2]?.args).toEqual({ currency: "USD" });
    expect(found[4]?.args).toEqual({ first: 2 });
  });

  it("follows named and inline fragments", () => {
    const found = fields(`
      { card(id: "a") { ...CardBits ... on Card { price } ... { id } } }
      fragment CardBits on Card { name }
    `);
    expect(keys(found)).toEqual(["Query.card@card", "Card.name@card/name", "Card.price@card/price", "Card.id@card/id"]);
  });

  it("resolves abstract types to the object types a fragment's condition allows", () => {
    const found = fields(`{ node(id: "a") { id ... on Card { name } } things { ...OnSet } }
      fragment OnSet on CardSet { cards(first: 1) { name } }`);
    expect(keys(found)).toEqual([
      "Query.node@node",
      "Card.id@node/id",
      "CardSet.id@node/id",
      "Card.name@node/name",
      "Query.things@things",
      "CardSet.cards@things/cards",
      "Card.name@things/cards/name",
    ]);
  });

  it("honours @skip and @include, with literals and variables", () => {
    const found = fields(
      `query ($hide: Boolean!, $show: Boolean!) {
        card(id: "a") { name @skip(if: true) price @include(if: $show) id @skip(if: $hide) ...F @include(if: false) }
      }
      fragment F on Card { set { id } }`,
      { hide: true, show: true },
    );
    expect(keys(found)).toEqual(["Query.card@card", "Card.price@card/price"]);
  });

  it("yields meta fields without failing on them", () => {
    expect(keys(fields(`{ __typename card(id: "a") { __typename } __type(name: "Card") { name } }`))).toEqual([
      "Query.__typename@__typename",
      "Query.card@card",
      "Card.__typename@card/__typename",
      "Query.__type@__type",
      "__Type.name@__type/name",
    ]);
  });

  it("never follows a fragment cycle", () => {
    const found = fields(`
      { card(id: "a") { ...A } }
      fragment A on Card { name ...B }
      fragment B on Card { id ...A }
    `);
    expect(keys(found)).toEqual(["Query.card@card", "Card.name@card/name", "Card.id@card/id"]);
  });

  it("yields nothing for a root type the schema lacks", () => {
    expect(fields(`mutation { noSuch }`)).toEqual([]);
  });
});

describe("operationFields on hostile documents", () => {
  it("expands a fragment once per selection set, as collectFields does: 30 doublings are 30 steps", () => {
    const levels = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Card { ...F${i + 1} ...F${i + 1} }`);
    const found = fields(`{ card(id: "a") { ...F0 } } ${levels.join(" ")} fragment F30 on Card { name }`);
    expect(keys(found)).toEqual(["Query.card@card", "Card.name@card/name"]);
  });

  it("merges the selections that share a response key, and walks their sub-selections together once", () => {
    const found = fields(`{ card(id: "a") { name } ...Again c: card(id: "b") { id } }
      fragment Again on Query { card(id: "a") { price } }`);
    expect(keys(found)).toEqual([
      "Query.card@card",
      "Card.name@card/name",
      "Card.price@card/price",
      "Query.card@c",
      "Card.id@c/id",
    ]);
  });

  it("follows a chain of 2,000 fragments without overflowing the call stack", () => {
    const chain = Array.from({ length: 2_000 }, (_, i) => `fragment C${i} on Card { ...C${i + 1} }`);
    const found = fields(`{ card(id: "a") { ...C0 } } ${chain.join(" ")} fragment C2000 on Card { id }`);
    expect(keys(found)).toEqual(["Query.card@card", "Card.id@card/id"]);
  });
});
