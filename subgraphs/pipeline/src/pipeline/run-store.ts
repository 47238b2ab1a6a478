import type { Queryable } from "@pokewatch/kit";

export type RunStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export type RunTrigger = "SCHEDULE" | "MANUAL";

export interface PipelineRunRecord {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
}

interface RunRow {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

const COLUMNS = "id, status, trigger, created_at, started_at, finished_at, error";

function toRecord(row: RunRow): PipelineRunRecord {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.started_at && row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
    error: row.error,
  };
}

export interface RunStore {
  findById(id: string): Promise<PipelineRunRecord | null>;
  latestByTrigger(trigger: RunTrigger): Promise<PipelineRunRecord | null>;
}

export function createRunStore(db: Queryable): RunStore {
  return {
    async findById(id) {
      const [row] = await db.query<RunRow>(`SELECT ${COLUMNS} FROM pipeline_runs WHERE id = $1`, [id]);
      return row ? toRecord(row) : null;
    },
    async latestByTrigger(trigger) {
      const [row] = await db.query<RunRow>(
        `SELECT ${COLUMNS} FROM pipeline_runs WHERE trigger = $1 ORDER BY created_at DESC LIMIT 1`,
        [trigger],
      );
      return row ? toRecord(row) : null;
    },
  };
}
