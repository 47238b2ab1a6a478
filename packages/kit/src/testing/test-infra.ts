import { randomBytes } from "node:crypto";
import { createPostgresDatabase } from "../db/postgres-database.js";
import type { Database } from "../db/database.js";

/** The machine's PostgreSQL (trust auth, database `test`) unless TEST_DATABASE_URL says otherwise. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The machine's Redis unless TEST_REDIS_URL says otherwise. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export interface IsolatedPostgres {
  db: Database;
  schema: string;
  /** Opens another pool on the same schema, as a second replica would. */
  connectAnother(): Database;
  drop(): Promise<void>;
}

/**
 * A fresh schema in the real PostgreSQL, first on the search path of every connection, so test
 * files can run side by side without seeing each other's tables.
 */
export async function createIsolatedPostgres(): Promise<IsolatedPostgres> {
  const schema = uniqueName("t");
  const admin = createPostgresDatabase({ url: TEST_DATABASE_URL, maxConnections: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const opened: Database[] = [];
  const connectAnother = () => {
    const db = createPostgresDatabase({ url: TEST_DATABASE_URL, schema });
    opened.push(db);
    return db;
  };
  const db = connectAnother();
  return {
    db,
    schema,
    connectAnother,
    async drop() {
      await Promise.all(opened.map((d) => d.close()));
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

/**
 * Ends these PostgreSQL backends and waits until they have exited. `pg_terminate_backend` only
 * signals: the backend releases its session's advisory locks a moment later, as it exits, so a test
 * that expects a lock free must wait for that, not for the call to return.
 */
export async function terminateBackends(db: Database, pids: number[], timeoutMs = 10_000): Promise<void> {
  await db.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)", [
      pids,
    ]);
    if (row!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`backends ${pids.join(", ")} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for a promise to settle, either way, but no longer than `timeoutMs` (a test hook must not hang). */
export async function settledWithin(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
