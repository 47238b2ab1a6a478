import { GraphQLScalarType, Kind } from "graphql";
import { pokewatchError } from "./errors.js";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar day written as `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function parseIsoDate(value: unknown): string {
  if (typeof value !== "string" || !isIsoDate(value)) {
    throw pokewatchError(
      "BAD_USER_INPUT",
      `Date must be a calendar day written YYYY-MM-DD; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `Date`: a calendar day, ISO `YYYY-MM-DD`, kept as a string so no time zone can shift it. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: "Date",
  description: "A calendar day, ISO 8601 `YYYY-MM-DD` (UTC).",
  specifiedByURL: "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
  serialize: (value) => parseIsoDate(value),
  parseValue: (value) => parseIsoDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw pokewatchError("BAD_USER_INPUT", "Date must be a string written YYYY-MM-DD");
    }
    return parseIsoDate(ast.value);
  },
});
