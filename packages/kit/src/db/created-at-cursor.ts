import { pokewatchError } from "../errors.js";

/**
 * Where a newest-first page ends: the last row's `created_at` (to the microsecond) and its id, the
 * tie-breaker. Shared by every list paged on (created_at DESC, id DESC).
 */
export interface CreatedAtCursor {
  createdAt: string;
  id: string;
}

/** SQL for a row's `created_at` as cursors hold it: to the microsecond, which a JS Date would drop. */
export const CURSOR_CREATED_AT_SQL = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of `[createdAt, id]`. */
export function encodeCreatedAtCursor({ createdAt, id }: CreatedAtCursor): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

/** The cursor, or BAD_USER_INPUT on `after` naming `listField`, the field that hands these out. */
export function decodeCreatedAtCursor(cursor: string, listField: string): CreatedAtCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === "string" &&
    INSTANT.test(parsed[0]) &&
    !Number.isNaN(Date.parse(parsed[0])) &&
    typeof parsed[1] === "string"
  ) {
    return { createdAt: parsed[0], id: parsed[1] };
  }
  throw pokewatchError("BAD_USER_INPUT", `after must be an endCursor returned by ${listField}`, {
    extensions: { argument: "after" },
  });
}
