/* eslint-disable security/detect-non-literal-fs-filename -- the template's own file (under the temporary directory or a path the code passes), PGlite's installed files and DATA_DIR set by the operator: no client names a path */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";

/**
 * A fresh PGlite database starts with initdb in WebAssembly: about 5 s of CPU here, paid by every
 * test that opens an empty database and by the first `pnpm start`. Loading the data directory of a
 * database that has just been through initdb takes about a quarter of that, so the first fresh
 * database on a machine saves its pristine data directory (a tarball, before any statement ran) and
 * later ones load it. The template holds nothing but initdb's output, is keyed by the PGlite build
 * (a new version never loads an old template), and is only ever a shortcut: when it cannot be read,
 * written or loaded, initdb runs as before.
 */

/** Where this PGlite build's template lives in `dir` (by default the system's temporary directory). */
export function templateFile(dir: string = join(tmpdir(), "pokewatch-pglite-templates")): string {
  return join(dir, `initdb-${pgliteBuild()}.tar`);
}

let build: string | undefined;
/** What identifies the PGlite build: initdb's code, and the sizes of the server and its data files. */
function pgliteBuild(): string {
  if (build) return build;
  const file = (name: string) => fileURLToPath(import.meta.resolve(`@electric-sql/pglite/${name}`));
  const hash = createHash("sha256").update(readFileSync(file("initdb.wasm")));
  for (const name of ["pglite.wasm", "pglite.data"]) hash.update(`:${statSync(file(name)).size}`);
  return (build = hash.digest("hex").slice(0, 16));
}

/** True for a database that does not exist yet: in memory, or a data directory that is absent or empty. */
export function isFresh(dataDir: string | undefined): boolean {
  return dataDir === undefined || !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

/** The saved template, or undefined when there is none (or it cannot be read). */
export function readTemplate(file: string): Blob | undefined {
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    return undefined;
  }
}

/**
 * Saves a just-created database's data directory as the template, atomically (a reader never sees
 * half a file, and concurrent writers each rename a whole one). Best effort: failing costs nothing.
 */
export async function saveTemplate(db: PGlite, file: string): Promise<void> {
  try {
    const tarball = Buffer.from(await (await db.dumpDataDir("none")).arrayBuffer());
    mkdirSync(join(file, ".."), { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
    writeFileSync(partial, tarball);
    renameSync(partial, file);
  } catch {
    // No template this time: the next fresh database runs initdb and tries again.
  }
}

/** A template that failed to load is removed, so that the next fresh database writes a good one. */
export function discardTemplate(file: string): void {
  rmSync(file, { force: true });
}

/** Empties a data directory that was empty before a failed load, so initdb can run in it. */
export function emptyDirectory(dataDir: string | undefined): void {
  if (dataDir === undefined || !existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
}
