import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { createBoundedTurns } from "./bounded-turns.js";
import {
  DATE_TYPE_ID,
  DEFAULT_DATABASE_TIMEOUTS,
  NUMERIC_TYPE_IDS,
  type Database,
  type DatabaseTimeouts,
  type Queryable,
} from "./database.js";

export interface PgliteDatabaseOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Only `statementTimeoutMs` applies, as the longest wait for a turn. @default DEFAULT_DATABASE_TIMEOUTS */
  timeouts?: Partial<DatabaseTimeouts>;
}

function asQueryable(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await target.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * The embedded default: real PostgreSQL compiled to WASM, in this process, no server needed.
 *
 * PGlite ignores `statement_timeout` (single-user mode has no timer to cancel with) and a running
 * statement holds the event loop, so nothing can interrupt it. What can be bounded is the wait:
 * every query, script and transaction takes its turn (as PGlite would), and one still waiting
 * after `statementTimeoutMs` fails with DatabaseBusyError without running.
 */
export async function createPgliteDatabase({ dataDir, timeouts = {} }: PgliteDatabaseOptions = {}): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const toNumber = (value: string) => Number(value);
  const db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: {
      [NUMERIC_TYPE_IDS.INT8]: toNumber,
      [NUMERIC_TYPE_IDS.NUMERIC]: toNumber,
      [DATE_TYPE_ID]: (value: string) => value,
    },
  });
  const direct = asQueryable(db);
  const turns = createBoundedTurns(timeouts.statementTimeoutMs ?? DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs);
  const root: Queryable = {
    query: (sql, params) => turns.run(() => direct.query(sql, params)),
    exec: (sql) => turns.run(() => direct.exec(sql)),
  };
  return {
    kind: "pglite",
    query: root.query,
    exec: root.exec,
    transaction: (work) => turns.run(() => db.transaction((tx) => work(asQueryable(tx)))),
    // One connection in one process: nothing to hold apart.
    session: (work) => work(root),
    close: () => db.close(),
  };
}
