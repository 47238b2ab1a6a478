import { GraphQLScalarType, Kind } from "graphql";
import { isIsoDate } from "./date-scalar.js";
import { pokewatchError } from "./errors.js";

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, and every quantifier is bounded ({2}, {1,9}, ?): linear in the input
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  // JS Date rolls impossible days over (2025-02-30 becomes March 2), so the day is checked on its own.
  const valid = typeof value === "string" && ISO_DATE_TIME.test(value) && isIsoDate(value.slice(0, 10));
  const date = valid ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw pokewatchError(
      "BAD_USER_INPUT",
      `DateTime must be ISO 8601 with a time zone, e.g. 2026-01-31T03:00:00Z; got ${JSON.stringify(value)}`,
    );
  }
  return date;
}

/** `DateTime`: an instant, ISO 8601 in UTC on output (`2026-01-31T03:00:00.000Z`). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An instant in time, ISO 8601 (`2026-01-31T03:00:00.000Z`); input needs an explicit offset.",
  serialize(value) {
    const date = value instanceof Date ? value : parseDateTime(value);
    return date.toISOString();
  },
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});
