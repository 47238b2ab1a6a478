import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "./database.js";
import { loadMigrations, runMigrations, type Migration } from "./migrations.js";
import { createPgliteDatabase } from "./pglite-database.js";

const createCards: Migration = { version: 1, name: "create-cards", sql: "CREATE TABLE cards (id text PRIMARY KEY)" };
const seedCards: Migration = {
  version: 2,
  name: "seed-cards",
  sql: "INSERT INTO cards (id) VALUES ('sv1-1'), ('sv1-2')",
};
const createSales: Migration = {
  version: 3,
  name: "create-sales",
  sql: "CREATE TABLE sales (card_id text REFERENCES cards (id), price numeric);\nCREATE INDEX sales_card ON sales (card_id);",
};

async function recorded(db: Database, service: string) {
  return db.query<{ version: number; name: string }>(
    "SELECT version, name FROM schema_migrations WHERE service = $1 ORDER BY version",
    [service],
  );
}
const tableExists = async (db: Database, table: string) =>
  (await db.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]))[0]!.t !== null;

describe("runMigrations", () => {
  // One PGlite for the file (it takes seconds to start); each test gets an empty schema of its own.
  let db: Database;
  let schemas = 0;
  beforeAll(async () => {
    db = await createPgliteDatabase();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    schemas += 1;
    await db.exec(`CREATE SCHEMA m${schemas}; SET search_path TO m${schemas}`);
  });

  it("applies pending migrations in order and records them", async () => {
    expect(await runMigrations(db, "pricing", [createCards, seedCards, createSales])).toEqual([1, 2, 3]);
    expect(await recorded(db, "pricing")).toEqual([
      { version: 1, name: "create-cards" },
      { version: 2, name: "seed-cards" },
      { version: 3, name: "create-sales" },
    ]);
    expect(await db.query("SELECT id FROM cards ORDER BY id")).toEqual([{ id: "sv1-1" }, { id: "sv1-2" }]);
    expect(await tableExists(db, "sales")).toBe(true);
  });

  it("applies nothing the second time, and only the new version later", async () => {
    await runMigrations(db, "pricing", [createCards, seedCards]);
    expect(await runMigrations(db, "pricing", [createCards, seedCards])).toEqual([]);
    expect(await db.query("SELECT count(*) AS n FROM cards")).toEqual([{ n: 2 }]);
    expect(await runMigrations(db, "pricing", [createCards, seedCards, createSales])).toEqual([3]);
    expect((await recorded(db, "pricing")).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it("keeps each service's versions apart", async () => {
    await runMigrations(db, "pricing", [createCards]);
    const other: Migration = { version: 1, name: "create-keys", sql: "CREATE TABLE keys (id text)" };
    expect(await runMigrations(db, "keys", [other])).toEqual([1]);
    expect(await recorded(db, "keys")).toEqual([{ version: 1, name: "create-keys" }]);
  });

  it("rolls back the whole run when one migration fails", async () => {
    await runMigrations(db, "pricing", [createCards]);
    const broken: Migration = { version: 3, name: "broken", sql: "CREATE TABLEE oops (id int)" };
    await expect(runMigrations(db, "pricing", [createCards, { ...createSales, version: 2 }, broken])).rejects.toThrow();

    expect(await tableExists(db, "sales")).toBe(false);
    expect(await recorded(db, "pricing")).toEqual([{ version: 1, name: "create-cards" }]);
  });

  it("leaves nothing behind when the very first run fails", async () => {
    const broken: Migration = { version: 2, name: "broken", sql: "SELECT * FROM no_such_table" };
    await expect(runMigrations(db, "pricing", [createCards, broken])).rejects.toThrow(/no_such_table/);
    expect(await tableExists(db, "cards")).toBe(false);
    expect(await tableExists(db, "schema_migrations")).toBe(false);
  });

  it("refuses a migration applied under one name and since renamed", async () => {
    await runMigrations(db, "pricing", [createCards]);
    const renamed = { ...createCards, name: "create-card-table" };
    await expect(runMigrations(db, "pricing", [renamed, seedCards])).rejects.toThrow(
      'pricing migration 1 was applied as "create-cards" but is now "create-card-table"',
    );
    expect(await recorded(db, "pricing")).toEqual([{ version: 1, name: "create-cards" }]);
  });
});

describe("loadMigrations", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kit-migrations-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (...files: string[]) => files.forEach((file) => writeFileSync(join(dir, file), `-- ${file}\n`));
  const load = () => loadMigrations(pathToFileURL(`${dir}/`));

  it("reads files in numeric version order", () => {
    // "0010" sorts before "002" as text, so only a numeric sort gets this right.
    write(
      "0010-ten.sql",
      "002-two.sql",
      "001-one.sql",
      ...["3", "4", "5", "6", "7", "8", "9"].map((n) => `00${n}-n${n}.sql`),
    );
    const migrations = load();
    expect(migrations.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(migrations[0]).toEqual({ version: 1, name: "one", sql: "-- 001-one.sql\n" });
    expect(migrations[9]!.name).toBe("ten");
  });

  it("returns nothing for an empty folder", () => {
    expect(load()).toEqual([]);
  });

  it.each(["1-init.sql", "001_init.sql", "001-Init.sql", "001-init.SQL", "001-init.sql.bak", "README.md"])(
    "refuses the badly named file %s",
    (file) => {
      write("001-ok.sql", file === "001-init.sql.bak" ? "002-ok.sql" : "002-fine.sql", file);
      expect(load).toThrow(/migration files are named NNN-kebab-name\.sql/);
    },
  );

  it.each([
    [["001-a.sql", "002-b.sql", "004-d.sql"], /found 4 at position 3/],
    [["001-a.sql", "002-b.sql", "010-j.sql"], /found 10 at position 3/],
    [["002-b.sql", "003-c.sql"], /found 2 at position 1/],
    [["001-a.sql", "001-again.sql"], /found 1 at position 2/],
  ])("refuses gaps and duplicates: %j", (files, message) => {
    write(...files);
    expect(load).toThrow(message);
  });
});
