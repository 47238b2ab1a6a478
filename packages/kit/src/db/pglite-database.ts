import { createBoundedTurns } from "./bounded-turns.js";
import { DEFAULT_DATABASE_TIMEOUTS, type Database, type DatabaseTimeouts, type Queryable } from "./database.js";
import { templateFile } from "./pglite-template.js";
import type { PgliteRequest, PgliteResponse, PgliteWorkerData, SerializedError } from "./pglite.worker.js";
import { siblingEntry, startModuleWorker } from "../worker/module-worker.js";

export interface PgliteDatabaseOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Only `statementTimeoutMs` applies, as the longest wait for a turn. @default DEFAULT_DATABASE_TIMEOUTS */
  timeouts?: Partial<DatabaseTimeouts>;
  /**
   * The initdb template a fresh database starts from (pglite-template.ts): its file, or false to
   * run initdb every time. @default templateFile(): one per PGlite build in the temporary directory
   */
  template?: string | false;
}

const ENTRY = siblingEntry(import.meta.url, "pglite.worker");

/** Requests as the caller writes them: the id is added on the way out. */
type Call = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A database error from the worker thread, with PostgreSQL's fields (`code`, `detail`, …) on it. */
function reviveError({ name, message, fields }: SerializedError, stack: string | undefined): Error {
  const error = Object.assign(new Error(message), fields);
  error.name = name;
  if (stack) error.stack = `${name}: ${message}\n${stack.split("\n").slice(1).join("\n")}`;
  return error;
}

/**
 * The embedded default: real PostgreSQL compiled to WASM, no server needed. It runs in a worker
 * thread of its own, so that statements (a pipeline reading every price, a migration) never hold
 * the event loop that serves API calls; each call here is a message there and back.
 *
 * PGlite ignores `statement_timeout` (single-user mode has no timer to cancel with), so nothing can
 * interrupt a running statement. What can be bounded is the wait: every query, script and
 * transaction takes its turn (as PGlite would), and one still waiting after `statementTimeoutMs`
 * fails with DatabaseBusyError without running.
 */
export async function createPgliteDatabase({
  dataDir,
  timeouts = {},
  template = templateFile(),
}: PgliteDatabaseOptions = {}): Promise<Database> {
  const workerData: PgliteWorkerData = { dataDir, template };
  const worker = startModuleWorker(ENTRY, workerData);
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; stack?: string }
  >();
  let nextId = 1;
  let gone: Error | null = null;

  // The thread keeps the process alive only while a call waits on it, as a socket would.
  const holdOpen = () => (pending.size > 0 ? worker.ref() : worker.unref());
  const settleAll = (error: Error) => {
    gone ??= error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    holdOpen();
  };
  worker.on("message", (response: PgliteResponse) => {
    const call = pending.get(response.id);
    if (!call) return;
    pending.delete(response.id);
    if (response.ok) call.resolve(response.value);
    else call.reject(reviveError(response.error, call.stack));
    holdOpen();
  });
  worker.on("error", (error) =>
    settleAll(Object.assign(new Error(`the embedded database thread crashed: ${error.message}`), { cause: error })),
  );
  worker.on("exit", (code) => settleAll(new Error(`the embedded database thread exited (code ${code})`)));

  const expect = (id: number) =>
    new Promise<unknown>((resolve, reject) => {
      if (gone) return reject(gone);
      pending.set(id, { resolve, reject, stack: new Error().stack });
      holdOpen();
    });
  const call = <T>(request: Call): Promise<T> => {
    const id = nextId++;
    const answered = expect(id);
    if (!gone) worker.postMessage({ ...request, id });
    return answered as Promise<T>;
  };

  try {
    await expect(0);
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const queryable = (tx?: number): Queryable => ({
    query: <Row>(sql: string, params: unknown[] = []) =>
      call<Row[]>(tx === undefined ? { op: "query", sql, params } : { op: "query", sql, params, tx }),
    exec: async (sql: string) => {
      await call(tx === undefined ? { op: "exec", sql } : { op: "exec", sql, tx });
    },
  });
  const direct = queryable();
  const turns = createBoundedTurns(timeouts.statementTimeoutMs ?? DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs);
  const root: Queryable = {
    query: (sql, params) => turns.run(() => direct.query(sql, params)),
    exec: (sql) => turns.run(() => direct.exec(sql)),
  };
  return {
    kind: "pglite",
    query: root.query,
    exec: root.exec,
    transaction: (work) =>
      turns.run(async () => {
        const tx = await call<number>({ op: "begin" });
        let result: Awaited<ReturnType<typeof work>>;
        try {
          result = await work(queryable(tx));
        } catch (error) {
          // The work's failure is the one to report; a rollback that fails too leaves nothing to undo.
          await call({ op: "rollback", tx }).catch(() => undefined);
          throw error;
        }
        await call({ op: "commit", tx });
        return result;
      }),
    // One connection in one process: nothing to hold apart.
    session: (work) => work(root),
    close: async () => {
      if (gone) return;
      await turns.run(() => call({ op: "close" }));
      gone = new Error("the embedded database is closed");
      await worker.terminate();
    },
  };
}
