import { ModelRegistryError } from "./registry-error.js";

const PREFIX = "version:";

/** Opaque to clients; a version number inside, since pages run newest (highest version) first. */
export function encodeVersionCursor(version: number): string {
  return Buffer.from(`${PREFIX}${version}`).toString("base64url");
}

export function decodeVersionCursor(cursor: string): number {
  const text = typeof cursor === "string" ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const version = Number(text.slice(PREFIX.length));
  if (!text.startsWith(PREFIX) || !Number.isSafeInteger(version) || version < 1) {
    throw new ModelRegistryError("INVALID_ARGUMENT", `${JSON.stringify(cursor)} is not a model version cursor`);
  }
  return version;
}
