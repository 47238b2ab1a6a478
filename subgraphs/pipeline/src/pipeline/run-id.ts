import { randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_CHARS = 20;

/** `run_` and 20 random base62 characters (119 bits). */
export function newRunId(): string {
  let random = "";
  for (let index = 0; index < RANDOM_CHARS; index += 1) random += BASE62[randomInt(62)];
  return `run_${random}`;
}
