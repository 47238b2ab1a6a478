import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createIsolatedPostgres,
  runWorkspaceScript,
  TEST_DATABASE_URL,
  WORKSPACE_ROOT as ROOT,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PriceImportReport } from "./import-prices.js";

const SCRIPT = "packages/market/scripts/import-prices.ts";

/** Runs what `pnpm data:import …` runs, from `cwd` as pnpm reports it in INIT_CWD. */
const dataImport = (args: string[], env: Record<string, string>, cwd: string) =>
  runWorkspaceScript(SCRIPT, args, { typedIn: cwd, env, timeoutMs: 60_000 });

describe("pnpm data:import", { timeout: 120_000 }, () => {
  let dir: string;
  let pg: IsolatedPostgres;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "data-import-"));
    writeFileSync(
      join(dir, "prices.csv"),
      "card_id,date,market_price,currency\nsv1-1,2025-06-01,10,USD\nsv1-1,2025-06-31,10,USD\nsv1-2,2025-06-01,4,USD\n",
    );
    pg = await createIsolatedPostgres();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  });

  it("imports into the embedded database in DATA_DIR, printing the report; again, it changes nothing", async () => {
    const env = { DATA_DIR: join(dir, "data") };
    const first = await dataImport(["--prices", "prices.csv", "--source", "tcgplayer"], env, dir);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(first.stdout)).toEqual({
      file: join(dir, "prices.csv"),
      rows: 3,
      accepted: 2,
      rejectedCount: 1,
      rejectedByCode: { BAD_DATE: 1 },
      rejected: [
        { line: 3, code: "BAD_DATE", reason: "date 2025-06-31 does not exist", raw: "sv1-1,2025-06-31,10,USD" },
      ],
      inserted: 2,
      updated: 0,
      unchanged: 0,
    } satisfies PriceImportReport);

    const again = await dataImport(["--prices", join(dir, "prices.csv"), "--source", "tcgplayer"], env, ROOT);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 2, inserted: 0, unchanged: 2 });
  });

  it("imports into PostgreSQL when DATABASE_URL is set, under the file's name when --source is left out", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${pg.schema}`);
    const result = await dataImport(["--prices", "prices.csv"], { DATABASE_URL: url.toString() }, dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ inserted: 2 });
    expect(await pg.db.query("SELECT card_id, source FROM price_points ORDER BY card_id")).toEqual([
      { card_id: "sv1-1", source: "prices" },
      { card_id: "sv1-2", source: "prices" },
    ]);
  });

  it("exits 1 with a clear message for a missing file, a bad header or bad arguments", async () => {
    const env = { DATA_DIR: join(dir, "data") };
    writeFileSync(join(dir, "wrong.csv"), "card,price\nsv1-1,1\n");

    const missing = await dataImport(["--prices", "nope.csv"], env, dir);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe(`data:import: ${join(dir, "nope.csv")}: no such file [UNREADABLE_FILE]\n`);

    const wrong = await dataImport(["--prices", "wrong.csv"], env, dir);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /wrong\.csv: the header lacks card_id, date, market_price, currency.*\[MISSING_COLUMNS\]/,
    );

    const noFile = await dataImport([], env, dir);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("--prices FILE.csv is required\nusage: pnpm data:import --prices FILE.csv");

    const unknown = await dataImport(["--prices", "prices.csv", "--force"], env, dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--force'");
  });
});
