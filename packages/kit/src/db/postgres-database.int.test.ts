import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy } from "../testing/tcp-proxy.js";
import { TEST_DATABASE_URL, createIsolatedPostgres, type IsolatedPostgres } from "../testing/test-infra.js";
import type { Migration } from "./migrations.js";
import { runMigrations } from "./migrations.js";
import { createPostgresDatabase } from "./postgres-database.js";

let pg: IsolatedPostgres;
beforeAll(async () => {
  pg = await createIsolatedPostgres();
  await pg.db.exec(
    `CREATE TABLE cards (id text PRIMARY KEY, name text NOT NULL, sales int8 NOT NULL, price numeric(10, 2))`,
  );
});
afterAll(async () => {
  await pg?.drop();
});

describe("createPostgresDatabase", () => {
  it("runs parameterised queries", async () => {
    await pg.db.query("INSERT INTO cards VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)", [
      "sv1-1",
      "Sprigatito",
      12,
      "3.50",
      "sv1-2",
      "Floragato",
      4,
      null,
    ]);
    const rows = await pg.db.query("SELECT id, name FROM cards WHERE name = $1", ["Sprigatito"]);
    expect(rows).toEqual([{ id: "sv1-1", name: "Sprigatito" }]);
  });

  it("returns int8 and numeric as JS numbers", async () => {
    const [row] = await pg.db.query<Record<string, unknown>>(
      "SELECT sales, price, count(*) OVER () AS n, 9007199254740991::int8 AS big, 0.1::numeric + 0.2 AS sum FROM cards WHERE id = $1",
      ["sv1-1"],
    );
    expect(row).toEqual({ sales: 12, price: 3.5, n: 1, big: Number.MAX_SAFE_INTEGER, sum: 0.3 });
  });

  it("returns date columns as YYYY-MM-DD text, whatever the time zone", async () => {
    const [row] = await pg.db.query("SELECT '2025-06-01'::date AS day, NULL::date AS none");
    expect(row).toEqual({ day: "2025-06-01", none: null });
  });

  it("commits a transaction that resolves, visibly to another pool", async () => {
    const result = await pg.db.transaction(async (tx) => {
      await tx.query("INSERT INTO cards VALUES ($1, $2, $3, $4)", ["sv1-3", "Meowscarada", 1, "99.99"]);
      return "done";
    });
    expect(result).toBe("done");
    const other = pg.connectAnother();
    expect(await other.query("SELECT price FROM cards WHERE id = $1", ["sv1-3"])).toEqual([{ price: 99.99 }]);
  });

  it("rolls back a transaction that throws", async () => {
    await expect(
      pg.db.transaction(async (tx) => {
        await tx.query("INSERT INTO cards VALUES ($1, $2, $3, $4)", ["sv1-4", "Fuecoco", 1, null]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await pg.db.query("SELECT id FROM cards WHERE id = $1", ["sv1-4"])).toEqual([]);
    // The pool's client went back clean: the next query is not stuck in an aborted transaction.
    expect(await pg.db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("holds a session (and its advisory locks) on one connection until the work settles, then closes it", async () => {
    const other = pg.connectAnother();
    const tryLock = async () => {
      const [row] = await other.query<{ got: boolean }>("SELECT pg_try_advisory_lock(4242) AS got");
      if (row!.got) await other.query("SELECT pg_advisory_unlock(4242)");
      return row!.got;
    };
    const pids = await pg.db.session!(async (conn) => {
      await conn.query("SELECT pg_advisory_lock(4242)");
      const [a] = await conn.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const [b] = await conn.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(await tryLock()).toBe(false);
      return [a!.pid, b!.pid];
    });
    expect(pids[0]).toBe(pids[1]);
    // The lock was never unlocked: it goes with the closed connection, once its backend has exited
    // (a moment after the client hung up).
    await expect.poll(tryLock, { timeout: 10_000 }).toBe(true);
    await expect(pg.db.session!(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await pg.db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });
});

describe("createPostgresDatabase timeouts", () => {
  it("cancels a statement that runs past the statement timeout, and the pool goes on", async () => {
    const db = createPostgresDatabase({ url: TEST_DATABASE_URL, timeouts: { statementTimeoutMs: 200 } });
    try {
      await expect(db.query("SELECT pg_sleep(5)")).rejects.toThrow(/statement timeout/);
      await expect(db.transaction((tx) => tx.query("SELECT pg_sleep(5)"))).rejects.toThrow(/statement timeout/);
      expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("ends a transaction left idle past the idle-in-transaction timeout", async () => {
    const db = createPostgresDatabase({ url: TEST_DATABASE_URL, timeouts: { idleInTransactionTimeoutMs: 200 } });
    try {
      const left = db.transaction(async (tx) => {
        await tx.query("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await tx.query("SELECT 2");
      });
      await expect(left).rejects.toThrow();
      expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("gives up on a server that never answers, at the connect timeout", async () => {
    // The proxy accepts and holds every byte PostgreSQL sends back: a server gone silent.
    const proxy = await startTcpProxy(TEST_DATABASE_URL);
    proxy.stall();
    const db = createPostgresDatabase({ url: proxy.url, timeouts: { connectTimeoutMs: 300 } });
    try {
      const started = Date.now();
      await expect(db.query("SELECT 1")).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await db.close();
      proxy.resume();
      await proxy.dispose();
    }
  });

  it("waits a bounded time for a free connection when the pool is busy", async () => {
    const db = createPostgresDatabase({
      url: TEST_DATABASE_URL,
      maxConnections: 1,
      timeouts: { connectTimeoutMs: 300 },
    });
    try {
      const busy = db.query("SELECT pg_sleep(2)");
      await expect(db.query("SELECT 1")).rejects.toThrow(/timeout/i);
      await busy;
    } finally {
      await db.close();
    }
  });
});

describe("runMigrations on PostgreSQL", () => {
  const migrations: Migration[] = [
    { version: 1, name: "create-models", sql: "CREATE TABLE models (id text PRIMARY KEY)" },
    { version: 2, name: "seed-models", sql: "INSERT INTO models VALUES ('mv_1')" },
    {
      version: 3,
      name: "create-runs",
      sql: "CREATE TABLE runs (id text PRIMARY KEY, model_id text REFERENCES models)",
    },
  ];

  it("applies each version exactly once when two replicas start together", async () => {
    const replica = pg.connectAnother();
    const [first, second] = await Promise.all([
      runMigrations(pg.db, "pipeline", migrations),
      runMigrations(replica, "pipeline", migrations),
    ]);
    expect([...first, ...second].sort((a, b) => a - b)).toEqual([1, 2, 3]);
    expect(
      await pg.db.query("SELECT version, name FROM schema_migrations WHERE service = $1 ORDER BY version", [
        "pipeline",
      ]),
    ).toEqual([
      { version: 1, name: "create-models" },
      { version: 2, name: "seed-models" },
      { version: 3, name: "create-runs" },
    ]);
    expect(await pg.db.query("SELECT count(*) AS n FROM models")).toEqual([{ n: 1 }]);
    expect(await runMigrations(replica, "pipeline", migrations)).toEqual([]);
  });
});
