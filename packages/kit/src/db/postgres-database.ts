import pg from "pg";
import {
  DATE_TYPE_ID,
  DEFAULT_DATABASE_TIMEOUTS,
  NUMERIC_TYPE_IDS,
  type Database,
  type DatabaseTimeouts,
  type Queryable,
} from "./database.js";

export interface PostgresDatabaseOptions {
  url: string;
  /** Schema to put first on the search path; tests use one per file to stay isolated. */
  schema?: string;
  /** @default 10 */
  maxConnections?: number;
  /** @default DEFAULT_DATABASE_TIMEOUTS */
  timeouts?: Partial<DatabaseTimeouts>;
}

/**
 * How much longer than statement_timeout the driver waits for an answer: the server cancels a slow
 * statement itself, so only a server or network gone silent reaches this.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;

const toNumber = (value: string) => Number(value);
const asText = (value: string) => value;

function parserFor(oid: number, format?: "text" | "binary"): (value: string) => unknown {
  if (oid === NUMERIC_TYPE_IDS.INT8 || oid === NUMERIC_TYPE_IDS.NUMERIC) return toNumber;
  if (oid === DATE_TYPE_ID) return asText;
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
}
const typeParsers = { getTypeParser: parserFor };

function asQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export function createPostgresDatabase({
  url,
  schema,
  maxConnections = 10,
  timeouts = {},
}: PostgresDatabaseOptions): Database {
  const { statementTimeoutMs, connectTimeoutMs, idleInTransactionTimeoutMs } = {
    ...DEFAULT_DATABASE_TIMEOUTS,
    ...timeouts,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    types: typeParsers,
    // Also bounds the wait for a free client when all `max` are busy.
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  // An idle client that loses its server emits here; without a listener the process would crash.
  pool.on("error", () => undefined);
  const root = asQueryable(pool);
  return {
    kind: "postgres",
    query: root.query,
    exec: root.exec,
    async transaction(work) {
      const client = await pool.connect();
      // The server ending the session (idle_in_transaction_session_timeout, a restart) emits here while
      // the client is checked out; unheard, it would crash the process. The next query rejects instead.
      const ignore = () => undefined;
      client.on("error", ignore);
      // A connection whose ROLLBACK failed (timed out, server gone) is in an unknown state: destroyed, not pooled.
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(asQueryable(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.off("error", ignore);
        client.release(broken);
      }
    },
    async session(work) {
      const client = await pool.connect();
      // A server gone while `work` holds the client emits here; `work`'s next query rejects instead.
      const ignore = () => undefined;
      client.on("error", ignore);
      try {
        return await work(asQueryable(client));
      } finally {
        client.off("error", ignore);
        // Destroyed, not pooled: session locks and settings end with `work`.
        client.release(true);
      }
    },
    close: () => pool.end(),
  };
}
