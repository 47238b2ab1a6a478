import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { DATE_TYPE_ID, NUMERIC_TYPE_IDS, type Database, type Queryable } from "./database.js";

export interface PgliteDatabaseOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
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

/** The embedded default: real PostgreSQL compiled to WASM, in this process, no server needed. */
export async function createPgliteDatabase({ dataDir }: PgliteDatabaseOptions = {}): Promise<Database> {
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
  const root = asQueryable(db);
  return {
    kind: "pglite",
    query: root.query,
    exec: root.exec,
    transaction: (work) => db.transaction((tx) => work(asQueryable(tx))),
    // One connection in one process: nothing to hold apart.
    session: (work) => work(root),
    close: () => db.close(),
  };
}
