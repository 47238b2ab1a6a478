/** What services need from SQL: parameterised queries, scripts and transactions. */
export interface Queryable {
  query: <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec: (sql: string) => Promise<void>;
}

export interface Database extends Queryable {
  /** `postgres` for a server reached by DATABASE_URL, `pglite` for the embedded default. */
  readonly kind: "postgres" | "pglite";
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction: <T>(work: (tx: Queryable) => Promise<T>) => Promise<T>;
  /**
   * Runs `work` on one dedicated connection, held until `work` settles, for session state that must
   * live that long (a session advisory lock tying a row to a live process). The connection is then
   * closed, not returned to a pool, so that no session state outlives `work`; if the process dies,
   * the server ends the session and its locks with it. PostgreSQL only: PGlite is one connection in
   * one process, so there `work` gets the database itself (and no other process can look). Optional
   * so that hand-made test doubles need not provide it; both drivers here implement it.
   */
  session?: <T>(work: (conn: Queryable) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/** Type ids whose text form both drivers turn into JS numbers (bigint counts, numeric prices). */
export const NUMERIC_TYPE_IDS = { INT8: 20, NUMERIC: 1700 } as const;

/** `date` columns stay `YYYY-MM-DD` strings in both drivers: a JS Date would shift with the time zone. */
export const DATE_TYPE_ID = 1082;

/** Bounds on every database call, so that no request waits on the database for ever. */
export interface DatabaseTimeouts {
  /**
   * PostgreSQL: `statement_timeout`, and the driver gives up waiting for an answer a little later
   * (a server or network that went silent). PGlite runs statements inside this process and cannot
   * interrupt one, so there it bounds the wait for the database: a call still queued behind other
   * work after this long is refused and never runs.
   */
  statementTimeoutMs: number;
  /** PostgreSQL: longest wait for a connection, new or from a busy pool. */
  connectTimeoutMs: number;
  /** PostgreSQL: a transaction left idle this long is ended by the server, releasing its locks. */
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 60_000,
};
