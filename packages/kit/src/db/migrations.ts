/* eslint-disable security/detect-non-literal-fs-filename -- a service's own migrations folder, named in its code */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_STATEMENT_TIMEOUT = "15min";
const MIGRATION_FILE = /^(\d{3,})-([a-z0-9-]+)\.sql$/;

/** Reads `NNN-name.sql` files from a folder, in version order. Any other file there is an error. */
export function loadMigrations(folder: URL): Migration[] {
  const dir = fileURLToPath(folder);
  const migrations = readdirSync(dir).map((file) => {
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`${dir}/${file}: migration files are named NNN-kebab-name.sql`);
    return { version: Number(match[1]), name: match[2]!, sql: readFileSync(`${dir}/${file}`, "utf8") };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${dir}: migration versions must run 1, 2, 3…; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

/**
 * Applies a service's pending migrations in one transaction under an advisory lock, so replicas
 * starting together apply each version exactly once and a failed migration leaves nothing behind.
 * Returns the versions it applied.
 */
export async function runMigrations(db: Database, service: string, migrations: Migration[]): Promise<number[]> {
  return db.transaction(async (tx) => {
    // A migration may rewrite a large table, and a replica may wait here for another's: bounded,
    // but not by the statement timeout meant for serving.
    await tx.exec(`SET LOCAL statement_timeout = '${MIGRATION_STATEMENT_TIMEOUT}'`);
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('pokewatch:migrations'))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      service text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (service, version)
    )`);
    const applied = await tx.query<{ version: number; name: string }>(
      "SELECT version, name FROM schema_migrations WHERE service = $1 ORDER BY version",
      [service],
    );
    for (const row of applied) {
      const known = migrations.find((m) => m.version === row.version);
      if (known && known.name !== row.name) {
        throw new Error(`${service} migration ${row.version} was applied as "${row.name}" but is now "${known.name}"`);
      }
    }
    const done = new Set(applied.map((row) => row.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO schema_migrations (service, version, name) VALUES ($1, $2, $3)", [
        service,
        migration.version,
        migration.name,
      ]);
    }
    return pending.map((m) => m.version);
  });
}
