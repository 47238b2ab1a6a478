import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * SHA-256 (hex) of the parts, each prefixed with its length, so `("ab", "c")` and `("a", "bc")`
 * differ. Strings are hashed as UTF-8; byte parts (typed array views) are hashed without copying.
 */
export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  const length = Buffer.alloc(8);
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : part;
    length.writeBigUInt64LE(BigInt(bytes.byteLength));
    hash.update(length);
    hash.update(bytes);
  }
  return hash.digest("hex");
}

const codeVersions = new Map<string, string>();

/**
 * A step's code version: SHA-256 of its module file's bytes (as `sha256sum` prints it), read on
 * first use and remembered for the life of the process (the code a process runs does not change
 * under it).
 */
export function codeVersionOf(url: URL): string {
  let version = codeVersions.get(url.href);
  if (version === undefined) {
    version = createHash("sha256").update(readFileSync(url)).digest("hex");
    codeVersions.set(url.href, version);
  }
  return version;
}
