import { mkdirSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { DATE_TYPE_ID, NUMERIC_TYPE_IDS } from "./database.js";
import { discardTemplate, emptyDirectory, isFresh, readTemplate, saveTemplate } from "./pglite-template.js";

/** What the parent asks; `tx` names an open transaction the statement belongs to. */
export type PgliteRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: "exec"; sql: string; tx?: number }
  | { id: number; op: "begin" }
  | { id: number; op: "commit" | "rollback"; tx: number }
  | { id: number; op: "close" };

/** A failure as it crosses threads: the message, and the fields PostgreSQL gave (code, detail…). */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

/** `id` 0 answers the start: ready, or the reason PGlite could not open. */
export type PgliteResponse =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export interface PgliteWorkerData {
  dataDir?: string | undefined;
  /** The initdb template's file, or false (see pglite-template.ts). */
  template: string | false;
}

const port = parentPort;
if (!port) throw new Error("pglite.worker is a worker thread entry: start it with createPgliteDatabase");
const { dataDir, template } = (workerData as { data: PgliteWorkerData }).data;

const answer = (response: PgliteResponse) => port.postMessage(response);
const fail = (id: number, error: unknown) => answer({ id, ok: false, error: serializeError(error) });

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: SerializedError["fields"] = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

const toNumber = (value: string) => Number(value);

const create = (loadDataDir?: Blob) =>
  PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: {
      [NUMERIC_TYPE_IDS.INT8]: toNumber,
      [NUMERIC_TYPE_IDS.NUMERIC]: toNumber,
      [DATE_TYPE_ID]: (value: string) => value,
    },
  });

/** A fresh database starts from the initdb template when there is one, and leaves one when there is not. */
async function open(): Promise<PGlite> {
  const fresh = template !== false && isFresh(dataDir);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR, set by the operator
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (!fresh) return create();
  const saved = readTemplate(template);
  if (saved) {
    try {
      return await create(saved);
    } catch {
      discardTemplate(template);
      emptyDirectory(dataDir);
    }
  }
  const db = await create();
  await saveTemplate(db, template);
  return db;
}

/** Open transactions: the handle statements run on, and how the parent ends it. */
const transactions = new Map<number, { tx: Transaction; end: (end: { commit: boolean; id: number }) => void }>();
let nextTransaction = 1;
const ROLLED_BACK = Symbol("rolled back");

function begin(db: PGlite, id: number): void {
  const txId = nextTransaction++;
  let endId = 0;
  db.transaction(async (tx) => {
    const ended = new Promise<{ commit: boolean; id: number }>((resolve) =>
      transactions.set(txId, { tx, end: resolve }),
    );
    answer({ id, ok: true, value: txId });
    const { commit, id: requestId } = await ended;
    endId = requestId;
    // Thrown out of the callback, PGlite rolls the transaction back as it does for any failure.
    if (!commit) throw ROLLED_BACK;
  })
    .then(
      () => answer({ id: endId, ok: true, value: null }),
      (error: unknown) => {
        if (error === ROLLED_BACK) return answer({ id: endId, ok: true, value: null });
        // A failed BEGIN answers the begin request; a failed COMMIT answers the commit.
        if (endId === 0 && !transactions.has(txId)) fail(id, error);
        else fail(endId, error);
      },
    )
    .finally(() => transactions.delete(txId));
}

function target(db: PGlite, tx: number | undefined): PGlite | Transaction {
  if (tx === undefined) return db;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open.tx;
}

async function handle(db: PGlite, request: PgliteRequest): Promise<unknown> {
  switch (request.op) {
    case "query":
      return (await target(db, request.tx).query(request.sql, request.params)).rows;
    case "exec":
      await target(db, request.tx).exec(request.sql);
      return null;
    case "commit":
    case "rollback": {
      const open = transactions.get(request.tx);
      if (!open) throw new Error(`transaction ${request.tx} is not open`);
      open.end({ commit: request.op === "commit", id: request.id });
      return undefined; // answered when the transaction settles
    }
    case "close":
      await db.close();
      return null;
    case "begin":
      begin(db, request.id);
      return undefined; // answered once inside the transaction
  }
}

open().then(
  (db) => {
    port.on("message", (request: PgliteRequest) => {
      handle(db, request).then(
        (value) => {
          if (value !== undefined) answer({ id: request.id, ok: true, value });
        },
        (error: unknown) => fail(request.id, error),
      );
    });
    answer({ id: 0, ok: true, value: null });
  },
  (error: unknown) => fail(0, error),
);
