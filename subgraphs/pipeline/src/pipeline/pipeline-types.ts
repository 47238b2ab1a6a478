import type { ModelMetrics } from "@pokewatch/model";

/** The steps of a run, in the order they run. */
export const STEP_NAMES = [
  "collect",
  "ingest",
  "validate",
  "features",
  "train",
  "evaluate",
  "register",
  "promote",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type RunStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export type StepStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "SKIPPED" | "CACHED";
export type RunTrigger = "SCHEDULE" | "MANUAL";

/** The statuses of a run that is not over; at most one run is in one of them at a time. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "RUNNING"];

export interface StepRecord {
  runId: string;
  /** 0-based, in STEP_NAMES order. */
  position: number;
  name: StepName;
  status: StepStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** One line: what the step did, why it failed, or why it was skipped or cached. */
  message: string | null;
  /** SHA-256 of the step's code version and inputs; equal keys give equal outputs. */
  cacheKey: string | null;
  /** SHA-256 of what the step produced. */
  outputHash: string | null;
}

/** The candidate beside production on the same hold-out rows: stored with the run. */
export interface RunComparison {
  candidate: ModelMetrics;
  /** The production model scored on the candidate's hold-out; null when there is none. */
  production: ModelMetrics | null;
  productionModelId: string | null;
  /** Candidate MAPE below production's (or no production model): only then is it promoted. */
  better: boolean;
}

export interface PipelineRunRecord {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  /** The cron occurrence a SCHEDULE run is for. */
  scheduledFor: Date | null;
  /** The runner's last sign of life; a RUNNING run without one for long was abandoned. */
  heartbeatAt: Date | null;
  producedModelId: string | null;
  promoted: boolean;
  comparison: RunComparison | null;
}

/** A file a run produced (the evaluation plots), as a step hands it to the store. */
export interface NewRunArtifact {
  runId: string;
  /** File name, e.g. `predicted-vs-actual.svg`. */
  name: string;
  contentType: string;
  body: string;
}

/** A stored file a run produced, served through the gateway (`RunArtifact.content`, `dataUrl`). */
export interface RunArtifact extends NewRunArtifact {
  /** SHA-256 of the body's UTF-8 bytes, computed when saved and checked when read. */
  sha256: string;
}

export interface RunFilter {
  status?: RunStatus | null;
  trigger?: RunTrigger | null;
}

export interface RunPage {
  runs: PipelineRunRecord[];
  /** One opaque cursor per run. */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Thrown when a run is asked for while another is active (or the occurrence already has one). */
export class PipelineBusyError extends Error {
  constructor(
    readonly activeRunId: string | null,
    message = activeRunId
      ? `a pipeline run is already active (${activeRunId}); wait for it to finish`
      : "this scheduled occurrence already has a run",
  ) {
    super(message);
    this.name = "PipelineBusyError";
  }
}

/**
 * Persistence of runs, steps, step outputs (the cache) and artifacts. Every method is one
 * statement or one transaction; none of them half-writes.
 */
export interface RunStore {
  findById(id: string): Promise<PipelineRunRecord | null>;
  latestByTrigger(trigger: RunTrigger): Promise<PipelineRunRecord | null>;
  /** Newest first; `first` 1–100 (default 20), `after` an endCursor; else BAD_USER_INPUT. */
  list(options: RunFilter & { first?: number; after?: string | null }): Promise<RunPage>;
  /** The most recent runs that are over (SUCCEEDED or FAILED), newest first, for health. */
  recentFinished(limit: number): Promise<PipelineRunRecord[]>;
  /** The active run, if any. */
  active(): Promise<PipelineRunRecord | null>;
  /**
   * Creates a QUEUED run with all eight steps PENDING, in one transaction. Throws
   * PipelineBusyError when a run is active, or (SCHEDULE) when `scheduledFor` already has a run.
   */
  create(input: { trigger: RunTrigger; scheduledFor?: Date | null; now: Date }): Promise<PipelineRunRecord>;
  /** QUEUED → RUNNING, sets startedAt and heartbeatAt. */
  start(runId: string, now: Date): Promise<void>;
  heartbeat(runId: string, now: Date): Promise<void>;
  /** Ends the run: SUCCEEDED or FAILED (with error), its outcome, finishedAt. */
  finish(
    runId: string,
    outcome: {
      status: "SUCCEEDED" | "FAILED";
      error?: string | null;
      producedModelId?: string | null;
      promoted?: boolean;
      comparison?: RunComparison | null;
      now: Date;
    },
  ): Promise<void>;
  steps(runId: string): Promise<StepRecord[]>;
  /** Steps of many runs at once (GraphQL lists), by run id. */
  stepsOfRuns(runIds: readonly string[]): Promise<Map<string, StepRecord[]>>;
  updateStep(
    runId: string,
    name: StepName,
    change: Partial<Pick<StepRecord, "status" | "startedAt" | "finishedAt" | "message" | "cacheKey" | "outputHash">>,
  ): Promise<void>;
  /** A SUCCEEDED or CACHED step of that name and cache key with a stored output, if any. */
  findCachedOutput(name: StepName, cacheKey: string): Promise<{ outputHash: string; body: Buffer } | null>;
  saveOutput(name: StepName, cacheKey: string, outputHash: string, body: Buffer): Promise<void>;
  saveArtifact(artifact: NewRunArtifact): Promise<void>;
  /** The stored file, its body verified against its sha256 (a mismatch throws `CorruptedRunArtifactError`). */
  artifact(runId: string, name: string): Promise<RunArtifact | null>;
  artifactNames(runId: string): Promise<string[]>;
  /**
   * Marks QUEUED/RUNNING runs whose heartbeat (or createdAt) is older than `staleBefore` FAILED —
   * the RUNNING step FAILED, PENDING ones SKIPPED — and returns their ids.
   */
  failStale(staleBefore: Date, now: Date): Promise<string[]>;
}
