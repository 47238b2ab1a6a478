import { pokewatchError } from "@pokewatch/kit";

/** Where a page of runs ends: the last run's creation instant (to the microsecond) and id. */
export interface RunCursor {
  createdAt: string;
  id: string;
}

/** SQL for a run's `created_at` as cursors hold it: to the microsecond, which a JS Date would drop. */
export const RUN_CURSOR_CREATED_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of `[createdAt, id]`. */
export function encodeRunCursor({ createdAt, id }: RunCursor): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

export function decodeRunCursor(cursor: string): RunCursor {
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
  throw pokewatchError("BAD_USER_INPUT", "after must be an endCursor returned by pipelineRuns", {
    extensions: { argument: "after" },
  });
}
