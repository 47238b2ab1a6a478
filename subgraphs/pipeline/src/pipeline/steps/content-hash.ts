/* eslint-disable security/detect-non-literal-fs-filename -- this project's own module files */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Catalog } from "@pokewatch/market";

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

/**
 * The code version of a directory: SHA-256 over every `.ts` file under it (recursively, tests
 * excluded), each as its path relative to the directory and its bytes, in path order. Remembered
 * for the life of the process, like `codeVersionOf`.
 */
export function codeVersionOfDir(url: URL): string {
  const dir = url.href.endsWith("/") ? url : new URL(`${url.href}/`);
  let version = codeVersions.get(dir.href);
  if (version === undefined) {
    const root = fileURLToPath(dir);
    const files = readdirSync(root, { recursive: true, encoding: "utf8" })
      .map((file) => file.split(sep).join("/"))
      .filter((file) => file.endsWith(".ts") && !/\.(test|spec)\.ts$/.test(file) && !file.endsWith(".d.ts"))
      .sort();
    if (files.length === 0) throw new Error(`no code version for ${dir.href}: no .ts files under it`);
    version = sha256Hex(...files.flatMap((file) => [file, readFileSync(join(root, file))]));
    codeVersions.set(dir.href, version);
  }
  return version;
}

/** `src/` of `@pokewatch/model`, as resolved from this package (its code decides features and training). */
export const MODEL_SRC_URL = new URL("./", pathToFileURL(createRequire(import.meta.url).resolve("@pokewatch/model")));

/**
 * A hash of what `catalogAttributes` reads from a catalog for each card: its id, rarity and its
 * set's release date, in card id order. Computed once per catalog object.
 */
export function catalogAttributesHash(catalog: Catalog): string {
  let hash = catalogHashes.get(catalog);
  // eslint-disable-next-line security/detect-possible-timing-attacks -- a cache miss check on a content hash, not a secret
  if (hash === undefined) {
    const cards = catalog
      .cards()
      .map((card) => [card.id, card.rarity, catalog.set(card.setId)?.releaseDate ?? null] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash = sha256Hex(JSON.stringify(cards));
    catalogHashes.set(catalog, hash);
  }
  return hash;
}

const catalogHashes = new WeakMap<Catalog, string>();
