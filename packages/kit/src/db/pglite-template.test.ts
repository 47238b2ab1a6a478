import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.js";
import { createPgliteDatabase } from "./pglite-database.js";
import { templateFile } from "./pglite-template.js";

const tables = async (db: Database) =>
  (
    await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).map((row) => row.name);

describe("the initdb template of fresh PGlite databases", () => {
  let dir: string;
  /** A template that is recognisable: a database with a `marker` table in it. */
  let marked: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pglite-template-"));
    const source = await PGlite.create();
    await source.exec("CREATE TABLE marker (n int)");
    marked = Buffer.from(await (await source.dumpDataDir("none")).arrayBuffer());
    await source.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is named after the PGlite build, so a new PGlite never loads an old one", () => {
    expect(templateFile(dir)).toMatch(new RegExp(`^${dir}/initdb-[0-9a-f]{16}\\.tar$`));
    expect(templateFile(dir)).toBe(templateFile(dir));
  });

  it("is what a fresh database starts from, in memory and in an empty data directory", async () => {
    const file = join(dir, "marked.tar");
    writeFileSync(file, marked);
    const inMemory = await createPgliteDatabase({ template: file });
    expect(await tables(inMemory)).toEqual(["marker"]);
    await inMemory.close();

    const dataDir = join(dir, "fresh-data");
    const onDisk = await createPgliteDatabase({ dataDir, template: file });
    await onDisk.exec("CREATE TABLE mine (n int)");
    await onDisk.close();
    // Reopened, it is the database it became, not the template again.
    const reopened = await createPgliteDatabase({ dataDir, template: file });
    expect(await tables(reopened)).toEqual(["marker", "mine"]);
    await reopened.close();
  });

  it("never touches a database that exists", async () => {
    const file = join(dir, "marked-again.tar");
    writeFileSync(file, marked);
    const dataDir = join(dir, "existing-data");
    const first = await createPgliteDatabase({ dataDir, template: file });
    await first.exec("CREATE TABLE kept (n int)");
    await first.close();
    // Were it loaded, this would fail and be discarded: it is not even read.
    writeFileSync(file, "not a tarball");
    const again = await createPgliteDatabase({ dataDir, template: file });
    expect(await tables(again)).toEqual(["kept", "marker"]);
    await again.close();
    expect(readFileSync(file, "utf8")).toBe("not a tarball");
  });

  it("is replaced when it does not load, by the fresh database's own, saved before any statement ran", async () => {
    const file = join(dir, "written", "initdb.tar");
    mkdirSync(join(dir, "written"));
    writeFileSync(file, "not a tarball");
    const dataDir = join(dir, "after-a-bad-template");
    const first = await createPgliteDatabase({ dataDir, template: file });
    await first.exec("CREATE TABLE after_the_dump (n int)");
    await first.close();
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    // Written whole and renamed into place: no partial file is left beside it.
    expect(readdirSync(join(dir, "written"))).toEqual(["initdb.tar"]);
    const second = await createPgliteDatabase({ template: file });
    expect(await tables(second)).toEqual([]);
    await second.close();
  });
});
