import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, graphql, parseValue as parseLiteralAst } from "graphql";
import { describe, expect, it } from "vitest";
import { DateTimeScalar } from "./date-time-scalar.js";
import { rejection } from "./testing/graphql-errors.js";

describe("DateTimeScalar", () => {
  it.each([
    ["2026-01-31T03:00:00Z", "2026-01-31T03:00:00.000Z"],
    ["2026-01-31T03:00Z", "2026-01-31T03:00:00.000Z"],
    ["2026-01-31T05:00:00+02:00", "2026-01-31T03:00:00.000Z"],
    ["2026-01-31T03:00:00.123456789Z", "2026-01-31T03:00:00.123Z"],
    ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"],
  ])("accepts %s as %s", (input, iso) => {
    const parsed = DateTimeScalar.parseValue(input);
    expect(parsed).toBeInstanceOf(Date);
    expect(parsed.toISOString()).toBe(iso);
    expect(DateTimeScalar.parseLiteral(parseLiteralAst(JSON.stringify(input)), {}).toISOString()).toBe(iso);
  });

  it.each([
    "2025-02-29T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "2025-04-31T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-1-01T00:00:00Z",
    "2026-01-31T03:00:00",
    "2026-01-31",
    "2025-01-01T25:00:00Z",
    "yesterday",
    20250101,
    1_769_828_400_000,
    null,
  ])("rejects %j as BAD_USER_INPUT", (value) => {
    const error = rejection(() => DateTimeScalar.parseValue(value));
    expect(error.extensions.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain("ISO 8601");
  });

  it.each(["1769828400000", "true", '["2026-01-31T03:00:00Z"]'])("rejects the non-string literal %s", (source) => {
    const error = rejection(() => DateTimeScalar.parseLiteral(parseLiteralAst(source), {}));
    expect(error.extensions.code).toBe("BAD_USER_INPUT");
  });

  it("serializes Dates and offset strings to UTC, and refuses anything else", () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 0, 31, 3)))).toBe("2026-01-31T03:00:00.000Z");
    expect(DateTimeScalar.serialize("2026-01-31T04:00:00+01:00")).toBe("2026-01-31T03:00:00.000Z");
    expect(rejection(() => DateTimeScalar.serialize("not a time")).extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("DateTimeScalar in a schema", () => {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: {
        later: {
          type: DateTimeScalar,
          args: { at: { type: new GraphQLNonNull(DateTimeScalar) } },
          resolve: (_root, args: { at: Date }) => new Date(args.at.getTime() + 60_000),
        },
      },
    }),
  });
  const source = "query ($at: DateTime!) { later(at: $at) }";

  it("round-trips a variable as an instant", async () => {
    const result = await graphql({ schema, source, variableValues: { at: "2026-01-31T04:00:00+01:00" } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ later: "2026-01-31T03:01:00.000Z" });
  });

  it("refuses a variable with no time zone", async () => {
    const result = await graphql({ schema, source, variableValues: { at: "2026-01-31T03:00:00" } });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toContain("time zone");
    expect(result.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });
});
