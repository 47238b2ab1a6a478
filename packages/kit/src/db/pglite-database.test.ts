import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { longestStall } from "../testing/event-loop.js";
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

  it("keeps PostgreSQL's error code and message across the thread", async () => {
    await db.exec("CREATE TABLE uniques (n int PRIMARY KEY)");
    await db.query("INSERT INTO uniques VALUES ($1)", [1]);
    const failed = await db.query("INSERT INTO uniques VALUES ($1)", [1]).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).toMatchObject({ code: "23505", message: expect.stringMatching(/duplicate key/) });
    // The caller's stack, not the worker's: a failing query points at the code that sent it.
    expect((failed as Error).stack).toContain("pglite-database.test.ts");
  });

  it("commits a transaction whose work resolves and rolls back one whose work throws", async () => {
    await db.exec("CREATE TABLE ledger (n int)");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO ledger VALUES (1)");
      await tx.exec("INSERT INTO ledger VALUES (2)");
    });
    const failure = db.transaction(async (tx) => {
      await tx.query("INSERT INTO ledger VALUES (3)");
      throw new Error("changed my mind");
    });
    await expect(failure).rejects.toThrow("changed my mind");
    // A statement that fails inside the transaction rolls it back too.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO ledger VALUES (4)");
        await tx.query("INSERT INTO ledger VALUES ('four')");
      }),
    ).rejects.toMatchObject({ code: "22P02" });
    expect(await db.query("SELECT n FROM ledger ORDER BY n")).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("returns timestamps, byte arrays and JSON as the driver parses them", async () => {
    const [row] = await db.query<{ at: Date; bytes: Uint8Array; doc: unknown }>(
      "SELECT '2026-01-02T03:04:05Z'::timestamptz AS at, '\\x0102'::bytea AS bytes, '{\"a\":[1]}'::jsonb AS doc",
    );
    expect(row!.at).toBeInstanceOf(Date);
    expect(row!.at.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect([...row!.bytes]).toEqual([1, 2]);
    expect(row!.doc).toEqual({ a: [1] });
  });

  it("runs statements off the event loop: a long one does not hold timers back", async () => {
    const started = performance.now();
    const longest = await longestStall(() => db.query("SELECT count(*) FROM generate_series(1, 5000000)"));
    const took = performance.now() - started;
    // In this thread the statement would hold the loop for all of `took`.
    expect(took).toBeGreaterThan(200);
    expect(longest).toBeLessThan(took / 2);
  });

  it("refuses calls once closed", async () => {
    const closing = await createPgliteDatabase();
    await closing.close();
    await expect(closing.query("SELECT 1")).rejects.toThrow(/closed/);
    await closing.close(); // twice is fine
  });
});
