import {
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  graphql,
  parseValue as parseLiteralAst,
} from "graphql";
import { describe, expect, it } from "vitest";
import { DateScalar, isIsoDate } from "./date-scalar.js";
import { rejection } from "./testing/graphql-errors.js";

const INVALID = [
  "2025-02-29",
  "2025-02-30",
  "2025-13-01",
  "2025-00-10",
  "2025-04-31",
  "2025-1-01",
  "25-01-01",
  "2025-01-01T00:00:00Z",
  " 2025-01-01",
  "",
  20250101,
  null,
  new Date(0),
];

describe("DateScalar", () => {
  it.each(["2025-01-01", "2024-02-29", "2000-02-29", "1999-12-31"])("accepts %s", (value) => {
    expect(isIsoDate(value)).toBe(true);
    expect(DateScalar.parseValue(value)).toBe(value);
    expect(DateScalar.serialize(value)).toBe(value);
    expect(DateScalar.parseLiteral(parseLiteralAst(JSON.stringify(value)), {})).toBe(value);
  });

  it.each(INVALID)("rejects %j as BAD_USER_INPUT", (value) => {
    const error = rejection(() => DateScalar.parseValue(value));
    expect(error.extensions.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain("YYYY-MM-DD");
    expect(rejection(() => DateScalar.serialize(value)).extensions.code).toBe("BAD_USER_INPUT");
  });

  it("rejects 1900-02-29 (not a leap year)", () => {
    expect(isIsoDate("1900-02-29")).toBe(false);
  });

  it.each(["20250101", "true", "null", '["2025-01-01"]', "{ day: 1 }"])(
    "rejects the non-string literal %s",
    (source) => {
      const error = rejection(() => DateScalar.parseLiteral(parseLiteralAst(source), {}));
      expect(error.extensions.code).toBe("BAD_USER_INPUT");
    },
  );

  it("rejects an invalid string literal", () => {
    expect(rejection(() => DateScalar.parseLiteral(parseLiteralAst('"2025-02-30"'), {})).extensions.code).toBe(
      "BAD_USER_INPUT",
    );
  });
});

describe("DateScalar in a schema", () => {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: {
        day: {
          type: GraphQLString,
          args: { on: { type: new GraphQLNonNull(DateScalar) } },
          resolve: (_root, args: { on: string }) => `got ${args.on}`,
        },
      },
    }),
  });

  it("passes a valid variable through to the resolver", async () => {
    const result = await graphql({
      schema,
      source: "query ($on: Date!) { day(on: $on) }",
      variableValues: { on: "2024-02-29" },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ day: "got 2024-02-29" });
  });

  it("refuses an impossible day in a variable before any resolver runs", async () => {
    const result = await graphql({
      schema,
      source: "query ($on: Date!) { day(on: $on) }",
      variableValues: { on: "2025-02-30" },
    });
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toContain("YYYY-MM-DD");
    expect(result.errors![0]!.extensions.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a non-string literal argument", async () => {
    const result = await graphql({ schema, source: "{ day(on: 20250101) }" });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toContain("YYYY-MM-DD");
  });
});
