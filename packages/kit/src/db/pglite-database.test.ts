import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseBusyError } from "./bounded-turns.js";
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

  it("refuses, without running it, a query still waiting behind other work after the statement timeout", async () => {
    const bounded = await createPgliteDatabase({ timeouts: { statementTimeoutMs: 200 } });
    try {
      await bounded.exec("CREATE TABLE marks (n int)");
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      // A transaction that stays open (PGlite cannot end it, and every other call waits for it).
      const holder = bounded.transaction(async (tx) => {
        await tx.query("INSERT INTO marks VALUES (1)");
        await held;
      });
      const started = Date.now();
      const waiting = bounded.query("INSERT INTO marks VALUES (2)");
      await expect(waiting).rejects.toBeInstanceOf(DatabaseBusyError);
      await expect(waiting).rejects.toThrow(/busy for 200 ms \(DATABASE_STATEMENT_TIMEOUT_MS\); the query did not run/);
      expect(Date.now() - started).toBeLessThan(5_000);
      release();
      await holder;
      expect(await bounded.query("SELECT n FROM marks ORDER BY n")).toEqual([{ n: 1 }]);
      // Turns go on in order after a refusal.
      const [a, b] = await Promise.all([bounded.query("SELECT 1 AS n"), bounded.query("SELECT 2 AS n")]);
      expect([a, b]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    } finally {
      await bounded.close();
    }
  });
});
