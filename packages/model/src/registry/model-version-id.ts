import { randomBytes } from "node:crypto";

/**
 * `mv_` + the creation time in base 36 (fixed width, so ids sort by time as text) + 64 random bits,
 * so ids from replicas never collide and need no round trip to the database.
 */
export function newModelVersionId(now = Date.now()): string {
  const time = now.toString(36).padStart(9, "0");
  const random = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, "0");
  return `mv_${time}${random}`;
}
