import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { setImmediate as nextTurn } from "node:timers/promises";
import {
  CURSOR_CREATED_AT_SQL,
  decodeCreatedAtCursor,
  encodeCreatedAtCursor,
  pokewatchError,
  type Database,
  type Queryable,
} from "@pokewatch/kit";
import {
  PipelineBusyError,
  STEP_NAMES,
  type PipelineRunRecord,
  type RunComparison,
  type RunStatus,
  type RunStore,
  type RunTrigger,
  type StepName,
  type StepRecord,
  type StepStatus,
} from "./pipeline-types.js";
import { newRunId } from "./run-id.js";

export type { PipelineRunRecord, RunStatus, RunStore, RunTrigger } from "./pipeline-types.js";

export const DEFAULT_RUNS_PER_PAGE = 20;
export const MAX_RUNS_PER_PAGE = 100;

const RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];
const RUN_TRIGGERS: readonly RunTrigger[] = ["SCHEDULE", "MANUAL"];
/** The unique indexes of migration 002 that a second `create` runs into. */
const ONE_ACTIVE_INDEX = "pipeline_runs_one_active";
const OCCURRENCE_INDEX = "pipeline_runs_schedule_occurrence";
const UNIQUE_VIOLATION = "23505";
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ACTIVE = "status IN ('QUEUED', 'RUNNING')";
/** `error` of a run whose process is known to be gone (PGlite restart, PostgreSQL owner lock free). */
export const OWNER_STOPPED_ERROR = "the process running it stopped";

/**
 * Thrown by `updateStep` and `finish` when the run is no longer QUEUED/RUNNING: another replica
 * failed it (it looked abandoned), so its runner must stop without registering or promoting.
 */
export class RunNotActiveError extends Error {
  constructor(
    readonly runId: string,
    readonly status: RunStatus,
    action: string,
  ) {
    super(`cannot ${action} ${runId}: it is already ${status}`);
    this.name = "RunNotActiveError";
  }
}

interface RunRow {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  scheduled_for: Date | null;
  heartbeat_at: Date | null;
  produced_model_id: string | null;
  promoted: boolean;
  comparison: RunComparison | null;
}

interface StepRow {
  run_id: string;
  position: number;
  name: StepName;
  status: StepStatus;
  started_at: Date | null;
  finished_at: Date | null;
  message: string | null;
  cache_key: string | null;
  output_hash: string | null;
}

const RUN_COLUMNS =
  "id, status, trigger, created_at, started_at, finished_at, error, scheduled_for, heartbeat_at, produced_model_id, promoted, comparison";
const STEP_COLUMNS = "run_id, position, name, status, started_at, finished_at, message, cache_key, output_hash";

const durationMs = (start: Date | null, end: Date | null) => (start && end ? end.getTime() - start.getTime() : null);

function toRun(row: RunRow): PipelineRunRecord {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: durationMs(row.started_at, row.finished_at),
    error: row.error,
    scheduledFor: row.scheduled_for,
    heartbeatAt: row.heartbeat_at,
    producedModelId: row.produced_model_id,
    promoted: row.promoted,
    comparison: row.comparison,
  };
}

function toStep(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    position: row.position,
    name: row.name,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: durationMs(row.started_at, row.finished_at),
    message: row.message,
    cacheKey: row.cache_key,
    outputHash: row.output_hash,
  };
}

/** Columns `updateStep` may change. */
const STEP_CHANGE_COLUMNS = {
  status: "status",
  startedAt: "started_at",
  finishedAt: "finished_at",
  message: "message",
  cacheKey: "cache_key",
  outputHash: "output_hash",
} as const;

function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_RUNS_PER_PAGE;
  if (Number.isInteger(first) && first >= 1 && first <= MAX_RUNS_PER_PAGE) return first;
  throw pokewatchError("BAD_USER_INPUT", `first must be from 1 to ${MAX_RUNS_PER_PAGE}; got ${first}`, {
    extensions: { argument: "first" },
  });
}

function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], argument: string): asserts value is T {
  if (allowed.includes(value as T)) return;
  throw pokewatchError("BAD_USER_INPUT", `${argument} must be ${allowed.join(", ")}; got ${String(value)}`, {
    extensions: { argument },
  });
}

function assertDate(value: unknown, name: string): asserts value is Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return;
  throw new Error(`${name} must be a valid Date; got ${String(value)}`);
}

/** The index a unique violation hit, from `pg` and PGlite alike (both report code and constraint). */
function uniqueViolationOn(error: unknown): string | null {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && typeof constraint === "string" ? constraint : null;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Marks a gzipped step output; no stored body starts so (JSON, or a small little-endian length). */
const GZIPPED = Buffer.from("PWZ1");

/**
 * Step outputs go to the database gzipped (on the thread pool, not the event loop), as base64 text,
 * in parts of this size. PGlite runs on the event loop, and its bytea parameters and results go
 * through a slow JavaScript codec: a 32 MB features body held the loop for 29 s as one bytea,
 * ~1.5 s as base64 (decoded by the database); a 192 KiB part holds it a few tens of milliseconds.
 * PostgreSQL takes either alike.
 */
const OUTPUT_PART_BYTES = 192 * 1024;

async function packOutputBody(body: Buffer): Promise<Buffer> {
  return Buffer.concat([GZIPPED, await gzipAsync(body, { level: 1 })]);
}

/** Reads back what `packOutputBody` stored, and bodies stored before it (raw bytes). */
async function unpackOutputBody(stored: Buffer): Promise<Buffer> {
  if (stored.subarray(0, GZIPPED.length).equals(GZIPPED)) return gunzipAsync(stored.subarray(GZIPPED.length));
  return stored;
}

/** SHA-256 of an artifact's body as stored: its UTF-8 bytes. */
export const artifactSha256 = (body: string) => createHash("sha256").update(body, "utf8").digest("hex");

/** A stored plot whose body no longer hashes to its sha256: never served. */
export class CorruptedRunArtifactError extends Error {
  override readonly name = "CorruptedRunArtifactError";
  constructor(
    readonly runId: string,
    readonly artifactName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Artifact "${artifactName}" of run ${runId} is corrupted: its body hashes to ${actual}, not ${expected}`);
  }
}

/**
 * Runs, steps, the step-output cache and artifacts in PostgreSQL or PGlite (migration 002). Given a
 * plain Queryable (already inside a transaction) it runs its multi-statement methods on it as is.
 */
export function createRunStore(db: Queryable | Database): RunStore {
  const inTransaction = <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
    "transaction" in db ? db.transaction(work) : work(db);
  const oneRun = async (sql: string, params: unknown[] = []) => {
    const [row] = await db.query<RunRow>(sql, params);
    return row ? toRun(row) : null;
  };
  const active = () => oneRun(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE ${ACTIVE} LIMIT 1`);

  /** What a unique violation on insert means for the caller: whose run is in the way. */
  async function busyError(error: unknown, scheduledFor: Date | null): Promise<unknown> {
    const index = uniqueViolationOn(error);
    if (index === OCCURRENCE_INDEX) {
      return new PipelineBusyError(null, `${scheduledFor?.toISOString() ?? "this occurrence"} already has a run`);
    }
    if (index !== ONE_ACTIVE_INDEX) return error;
    // Inside a caller's transaction the violation aborted it; the run cannot be named then.
    const current = await active().catch(() => null);
    return current
      ? new PipelineBusyError(current.id)
      : new PipelineBusyError(null, "a pipeline run was active a moment ago; try again");
  }

  return {
    findById: (id) => oneRun(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [id]),

    latestByTrigger: (trigger) =>
      oneRun(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE trigger = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [
        trigger,
      ]),

    async list({ status, trigger, first, after }) {
      const limit = pageSize(first);
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      const where: string[] = [];
      if (status !== undefined && status !== null) {
        assertOneOf(status, RUN_STATUSES, "status");
        where.push(`status = ${param(status)}`);
      }
      if (trigger !== undefined && trigger !== null) {
        assertOneOf(trigger, RUN_TRIGGERS, "trigger");
        where.push(`trigger = ${param(trigger)}`);
      }
      if (after !== undefined && after !== null) {
        const cursor = decodeCreatedAtCursor(after, "pipelineRuns");
        where.push(`(created_at, id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)}::text)`);
      }
      const rows = await db.query<RunRow & { cursor_at: string }>(
        `SELECT ${RUN_COLUMNS}, ${CURSOR_CREATED_AT_SQL} AS cursor_at FROM pipeline_runs
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
        params,
      );
      const page = rows.slice(0, limit);
      const cursors = page.map((row) => encodeCreatedAtCursor({ createdAt: row.cursor_at, id: row.id }));
      return { runs: page.map(toRun), cursors, hasNextPage: rows.length > limit, endCursor: cursors.at(-1) ?? null };
    },

    async recentFinished(limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_PER_PAGE) {
        throw new Error(`limit must be a whole number from 1 to ${MAX_RUNS_PER_PAGE}; got ${limit}`);
      }
      const rows = await db.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE status IN ('SUCCEEDED', 'FAILED')
         ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT $1`,
        [limit],
      );
      return rows.map(toRun);
    },

    active,

    async create({ trigger, scheduledFor = null, now }) {
      if (!RUN_TRIGGERS.includes(trigger))
        throw new Error(`trigger must be SCHEDULE or MANUAL; got ${String(trigger)}`);
      assertDate(now, "now");
      if (trigger === "SCHEDULE") assertDate(scheduledFor, "scheduledFor (the occurrence a SCHEDULE run is for)");
      else if (scheduledFor !== null) throw new Error("scheduledFor is for SCHEDULE runs only; a MANUAL run has none");
      const id = newRunId();
      try {
        const row = await inTransaction(async (tx) => {
          const [inserted] = await tx.query<RunRow>(
            `INSERT INTO pipeline_runs (id, status, trigger, created_at, scheduled_for)
             VALUES ($1, 'QUEUED', $2, $3, $4) RETURNING ${RUN_COLUMNS}`,
            [id, trigger, now, scheduledFor],
          );
          await tx.query(
            `INSERT INTO pipeline_steps (run_id, position, name, status)
             SELECT $1, ordinality - 1, name, 'PENDING' FROM unnest($2::text[]) WITH ORDINALITY AS s(name, ordinality)`,
            [id, [...STEP_NAMES]],
          );
          return inserted!;
        });
        return toRun(row);
      } catch (error) {
        throw await busyError(error, scheduledFor);
      }
    },

    async start(runId, now) {
      assertDate(now, "now");
      const rows = await db.query(
        `UPDATE pipeline_runs SET status = 'RUNNING', started_at = $2, heartbeat_at = $2
         WHERE id = $1 AND status = 'QUEUED' RETURNING id`,
        [runId, now],
      );
      if (rows.length === 0) throw new Error(`cannot start ${runId}: no QUEUED run has that id`);
    },

    async heartbeat(runId, now) {
      assertDate(now, "now");
      // A run already ended (failed as stale, cancelled) keeps its record; the beat is dropped.
      await db.query(`UPDATE pipeline_runs SET heartbeat_at = $2 WHERE id = $1 AND ${ACTIVE}`, [runId, now]);
    },

    async finish(runId, { status, error = null, producedModelId = null, promoted = false, comparison = null, now }) {
      if (status !== "SUCCEEDED" && status !== "FAILED") {
        throw new Error(`a run finishes SUCCEEDED or FAILED; got ${String(status)}`);
      }
      assertDate(now, "now");
      const rows = await db.query(
        `UPDATE pipeline_runs SET status = $2, error = $3, produced_model_id = $4, promoted = $5,
           comparison = $6::jsonb, finished_at = $7
         WHERE id = $1 AND ${ACTIVE} RETURNING id`,
        [runId, status, error, producedModelId, promoted, comparison === null ? null : JSON.stringify(comparison), now],
      );
      if (rows.length > 0) return;
      const run = await oneRun(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [runId]);
      if (run) throw new RunNotActiveError(runId, run.status, "finish");
      throw new Error(`cannot finish ${runId}: no such run`);
    },

    async steps(runId) {
      const rows = await db.query<StepRow>(
        `SELECT ${STEP_COLUMNS} FROM pipeline_steps WHERE run_id = $1 ORDER BY position`,
        [runId],
      );
      return rows.map(toStep);
    },

    async stepsOfRuns(runIds) {
      const byRun = new Map<string, StepRecord[]>(runIds.map((id) => [id, []]));
      if (runIds.length === 0) return byRun;
      const rows = await db.query<StepRow>(
        `SELECT ${STEP_COLUMNS} FROM pipeline_steps WHERE run_id = ANY($1::text[]) ORDER BY run_id, position`,
        [[...new Set(runIds)]],
      );
      for (const row of rows) byRun.get(row.run_id)?.push(toStep(row));
      return byRun;
    },

    async updateStep(runId, name, change) {
      const params: unknown[] = [runId, name];
      const sets = Object.entries(STEP_CHANGE_COLUMNS)
        .filter(([key]) => change[key as keyof typeof change] !== undefined)
        .map(([key, column]) => `${column} = $${params.push(change[key as keyof typeof change])}`);
      if (sets.length === 0) return;
      // Only while the run is active: a run failed meanwhile (by another replica) must not go on.
      const rows = await db.query(
        `UPDATE pipeline_steps SET ${sets.join(", ")} WHERE run_id = $1 AND name = $2
           AND EXISTS (SELECT 1 FROM pipeline_runs WHERE id = $1 AND ${ACTIVE}) RETURNING position`,
        params,
      );
      if (rows.length > 0) return;
      const run = await oneRun(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [runId]);
      if (run && run.status !== "QUEUED" && run.status !== "RUNNING") {
        throw new RunNotActiveError(runId, run.status, `update step ${name} of`);
      }
      throw new Error(`cannot update step ${name} of ${runId}: no such run or step`);
    },

    async findCachedOutput(name, cacheKey) {
      const [row] = await db.query<{ output_hash: string; body: string; parts: number }>(
        `SELECT o.output_hash, encode(o.body, 'base64') AS body, o.parts FROM pipeline_step_outputs AS o
         WHERE o.cache_key = $2 AND o.step = $1 AND EXISTS (
           SELECT 1 FROM pipeline_steps AS s
           WHERE s.name = $1 AND s.cache_key = $2 AND s.status IN ('SUCCEEDED', 'CACHED'))`,
        [name, cacheKey],
      );
      if (!row) return null;
      if (row.parts === 0)
        return { outputHash: row.output_hash, body: await unpackOutputBody(Buffer.from(row.body, "base64")) };
      const parts: Buffer[] = [];
      for (let part = 0; part < row.parts; part++) {
        const [stored] = await db.query<{ body: string }>(
          "SELECT encode(body, 'base64') AS body FROM pipeline_step_output_parts WHERE cache_key = $1 AND part = $2",
          [cacheKey, part],
        );
        // A part overwritten by a save in progress elsewhere: a miss, the step runs.
        if (!stored) return null;
        parts.push(Buffer.from(stored.body, "base64"));
        await nextTurn();
      }
      return { outputHash: row.output_hash, body: await unpackOutputBody(Buffer.concat(parts)) };
    },

    async saveOutput(name, cacheKey, outputHash, body) {
      const packed = await packOutputBody(body);
      const parts: Buffer[] = [];
      if (packed.byteLength > OUTPUT_PART_BYTES) {
        for (let at = 0; at < packed.byteLength; at += OUTPUT_PART_BYTES) {
          parts.push(packed.subarray(at, at + OUTPUT_PART_BYTES));
        }
        await db.query("DELETE FROM pipeline_step_output_parts WHERE cache_key = $1", [cacheKey]);
        for (const [part, bytes] of parts.entries()) {
          await db.query(
            "INSERT INTO pipeline_step_output_parts (cache_key, part, body) VALUES ($1, $2, decode($3, 'base64'))",
            [cacheKey, part, bytes.toString("base64")],
          );
          await nextTurn();
        }
      }
      // Last: the row makes the output (and its parts) visible to findCachedOutput.
      await db.query(
        `INSERT INTO pipeline_step_outputs (cache_key, step, output_hash, body, parts)
         VALUES ($1, $2, $3, decode($4, 'base64'), $5)
         ON CONFLICT (cache_key) DO UPDATE SET step = EXCLUDED.step, output_hash = EXCLUDED.output_hash,
           body = EXCLUDED.body, parts = EXCLUDED.parts, created_at = now()`,
        [cacheKey, name, outputHash, parts.length > 0 ? "" : packed.toString("base64"), parts.length],
      );
    },

    async saveArtifact({ runId, name, contentType, body }) {
      if (!ARTIFACT_NAME.test(name)) {
        throw new Error(`artifact names are letters, digits, ".", "_" and "-" (a URL path segment); got ${name}`);
      }
      await db.query(
        `INSERT INTO pipeline_artifacts (run_id, name, content_type, body, sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run_id, name) DO UPDATE SET content_type = EXCLUDED.content_type, body = EXCLUDED.body,
           sha256 = EXCLUDED.sha256`,
        [runId, name, contentType, body, artifactSha256(body)],
      );
    },

    async artifact(runId, name) {
      const [row] = await db.query<{ content_type: string; body: string; sha256: string }>(
        "SELECT content_type, body, sha256 FROM pipeline_artifacts WHERE run_id = $1 AND name = $2",
        [runId, name],
      );
      if (!row) return null;
      const actual = artifactSha256(row.body);
      if (actual !== row.sha256) throw new CorruptedRunArtifactError(runId, name, row.sha256, actual);
      return { runId, name, contentType: row.content_type, body: row.body, sha256: row.sha256 };
    },

    async artifactNames(runId) {
      const rows = await db.query<{ name: string }>(
        "SELECT name FROM pipeline_artifacts WHERE run_id = $1 ORDER BY name",
        [runId],
      );
      return rows.map((row) => row.name);
    },

    async failStale(staleBefore, now) {
      assertDate(staleBefore, "staleBefore");
      assertDate(now, "now");
      return inTransaction(async (tx) => {
        const stale = await tx.query<{ id: string }>(
          `UPDATE pipeline_runs SET status = 'FAILED', finished_at = $2,
             error = 'the process running it stopped: no heartbeat since '
               || to_char(coalesce(heartbeat_at, created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
           WHERE ${ACTIVE} AND coalesce(heartbeat_at, created_at) < $1 RETURNING id`,
          [staleBefore, now],
        );
        const ids = stale.map((row) => row.id);
        await failOpenSteps(tx, ids, now);
        return ids;
      });
    },
  };
}

/** The RUNNING step of each run FAILED, its PENDING ones SKIPPED: the process running them stopped. */
async function failOpenSteps(tx: Queryable, runIds: string[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await tx.query(
    `UPDATE pipeline_steps SET
       status = CASE status WHEN 'RUNNING' THEN 'FAILED' ELSE 'SKIPPED' END,
       finished_at = CASE status WHEN 'RUNNING' THEN $2 ELSE finished_at END,
       message = CASE status WHEN 'RUNNING' THEN 'interrupted: the process running it stopped'
         ELSE 'not run: the process running the run stopped' END
     WHERE run_id = ANY($1::text[]) AND status IN ('RUNNING', 'PENDING')`,
    [runIds, now],
  );
}

/**
 * Ties each run to the live process running it, so that a run whose process died is failed at
 * once (next start, next trigger) rather than after the heartbeat limit.
 */
export interface RunOwnership {
  /**
   * Creates a run with `create` and, once it exists, runs `work` on it while owning it. Resolves
   * with the created run as soon as it exists (rejects when `create` does); `done` settles with `work`.
   */
  claim<T>(
    create: () => Promise<PipelineRunRecord>,
    work: (run: PipelineRunRecord) => Promise<T>,
  ): Promise<{ run: PipelineRunRecord; done: Promise<T> }>;
  /**
   * Fails the active runs that no live process owns (skipping `ownIds`, this process's runs) and
   * returns their ids. `atStart`: the owning process is starting, before it runs anything.
   */
  failOrphaned(options: { now: Date; ownIds: ReadonlySet<string>; atStart: boolean }): Promise<string[]>;
}

/** No ownership: runs are only failed by the heartbeat limit (`failStale`). Unit tests, memory stores. */
export const NO_RUN_OWNERSHIP: RunOwnership = {
  async claim(create, work) {
    const run = await create();
    return { run, done: work(run) };
  },
  failOrphaned: () => Promise.resolve([]),
};

// Keys of session advisory locks, per schema (tests and deployments may share a server).
const CREATING_LOCK = "hashtextextended(current_schema() || ':pipeline_runs:creating', 0)";
const RUN_LOCK = "hashtextextended(current_schema() || ':pipeline_run:' || $1, 0)";

/**
 * PostgreSQL (replicas share the table): the runner holds a session advisory lock keyed by the
 * run id on a dedicated connection (`Database.session`) for the whole run; an active run whose lock
 * can be taken has no live owner (the server drops a dead process's session and its locks). A
 * shared "creating" lock covers the moment between inserting a run and locking it, so a recovery
 * never fails a run that is just being created: recovery takes it exclusively, or skips that pass.
 *
 * PGlite (one process): every active run at start was left by a process that stopped; later,
 * the only live owner is this process, so nothing else is failed (the heartbeat limit remains).
 */
export function createRunOwnership(db: Database): RunOwnership {
  if (db.kind !== "postgres" || !db.session) {
    return {
      claim: (create, work) => NO_RUN_OWNERSHIP.claim(create, work),
      async failOrphaned({ now, ownIds, atStart }) {
        if (!atStart) return [];
        const active = await db.query<{ id: string }>(`SELECT id FROM pipeline_runs WHERE ${ACTIVE}`);
        return failRuns(
          db,
          active.map((row) => row.id).filter((id) => !ownIds.has(id)),
          now,
        );
      },
    };
  }
  const session = db.session;
  return {
    async claim(create, work) {
      let created!: (run: PipelineRunRecord) => void;
      const runCreated = new Promise<PipelineRunRecord>((resolve) => (created = resolve));
      const done = session(async (conn) => {
        await conn.query(`SELECT pg_advisory_lock_shared(${CREATING_LOCK})`);
        let run: PipelineRunRecord;
        try {
          run = await create();
          await conn.query(`SELECT pg_advisory_lock(${RUN_LOCK})`, [run.id]);
        } finally {
          await conn.query(`SELECT pg_advisory_unlock_shared(${CREATING_LOCK})`);
        }
        created(run);
        // The lock is held until `work` settles; the session then closes and frees it.
        return work(run);
      });
      const run = await Promise.race([runCreated, done.then(() => runCreated)]);
      return { run, done };
    },
    async failOrphaned({ now, ownIds }) {
      const orphans = await session(async (conn) => {
        const [creating] = await conn.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${CREATING_LOCK}) AS got`);
        // A run is being created right now; the next pass looks again.
        if (!creating?.got) return [];
        try {
          const active = await conn.query<{ id: string }>(`SELECT id FROM pipeline_runs WHERE ${ACTIVE}`);
          const free: string[] = [];
          for (const { id } of active) {
            if (ownIds.has(id)) continue;
            const [row] = await conn.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${RUN_LOCK}) AS got`, [id]);
            if (!row?.got) continue;
            await conn.query(`SELECT pg_advisory_unlock(${RUN_LOCK})`, [id]);
            free.push(id);
          }
          return free;
        } finally {
          await conn.query(`SELECT pg_advisory_unlock(${CREATING_LOCK})`);
        }
      });
      return failRuns(db, orphans, now);
    },
  };
}

/** Fails those of `runIds` still active, as abandoned by their stopped process; returns those failed. */
async function failRuns(db: Database, runIds: string[], now: Date): Promise<string[]> {
  if (runIds.length === 0) return [];
  return db.transaction(async (tx) => {
    const failed = await tx.query<{ id: string }>(
      `UPDATE pipeline_runs SET status = 'FAILED', finished_at = $2, error = $3
       WHERE id = ANY($1::text[]) AND ${ACTIVE} RETURNING id`,
      [runIds, now, OWNER_STOPPED_ERROR],
    );
    const ids = failed.map((row) => row.id);
    await failOpenSteps(tx, ids, now);
    return ids;
  });
}
