import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.js";
import { createPgliteDatabase } from "./pglite-database.js";

describe("createPgliteDatabase", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createPgliteDatabase();
  });
  afterAll(() => db.close());

  it("returns int8 and numeric as JS numbers, like the Postgres driver", async () => {
    const [row] = await db.query("SELECT 42::int8 AS big, 0.1::numeric + 0.2 AS sum");
    expect(row).toEqual({ big: 42, sum: 0.3 });
  });

  it("returns date columns as YYYY-MM-DD text", async () => {
    const [row] = await db.query("SELECT '2025-06-01'::date AS day, NULL::date AS none");
    expect(row).toEqual({ day: "2025-06-01", none: null });
  });

  it("runs a session on the database itself (one connection, one process)", async () => {
    expect(await db.session!((conn) => conn.query("SELECT 7 AS n"))).toEqual([{ n: 7 }]);
  });
});
