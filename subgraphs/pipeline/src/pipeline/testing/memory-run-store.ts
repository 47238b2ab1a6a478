import { createHash, randomBytes } from "node:crypto";
import { pokewatchError } from "@pokewatch/kit";
import {
  ACTIVE_RUN_STATUSES,
  PipelineBusyError,
  STEP_NAMES,
  type PipelineRunRecord,
  type RunArtifact,
  type RunStore,
  type StepRecord,
} from "../pipeline-types.js";

/**
 * A RunStore in this process's memory, with the same rules as the PostgreSQL one (one active run,
 * one run per scheduled occurrence, the cache only from finished steps): for tests and tools.
 */
export function createMemoryRunStore(): RunStore {
  const runs = new Map<string, PipelineRunRecord>();
  const steps = new Map<string, StepRecord[]>();
  const outputs = new Map<string, { step: string; outputHash: string; body: Buffer }>();
  const artifacts = new Map<string, RunArtifact>();

  const runOf = (id: string) => {
    const run = runs.get(id);
    if (!run) throw new Error(`no pipeline run ${id}`);
    return run;
  };
  const newestFirst = () =>
    [...runs.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
  const active = () => [...runs.values()].find(isActive) ?? null;
  const withDuration = (run: PipelineRunRecord): PipelineRunRecord =>
    structuredClone({ ...run, durationMs: elapsed(run.startedAt, run.finishedAt) });
  const stepsOf = (runId: string) => (steps.get(runId) ?? []).map((step) => structuredClone(step));

  return {
    findById: (id) => Promise.resolve(runs.has(id) ? withDuration(runOf(id)) : null),
    latestByTrigger(trigger) {
      const run = newestFirst().find((r) => r.trigger === trigger);
      return Promise.resolve(run ? withDuration(run) : null);
    },
    list: ({ status, trigger, first = 20, after = null }) =>
      attempt(() => {
        if (!Number.isInteger(first) || first < 1 || first > 100) {
          throw pokewatchError("BAD_USER_INPUT", `first must be 1–100, got ${first}`, {
            extensions: { argument: "first" },
          });
        }
        const matching = newestFirst().filter(
          (r) => (!status || r.status === status) && (!trigger || r.trigger === trigger),
        );
        const start = after === null ? 0 : matching.findIndex((r) => r.id === after) + 1;
        if (start === 0 && after !== null) {
          throw pokewatchError("BAD_USER_INPUT", "after is not a cursor of this list", {
            extensions: { argument: "after" },
          });
        }
        const page = matching.slice(start, start + first).map(withDuration);
        const cursors = page.map((r) => r.id);
        return { runs: page, cursors, hasNextPage: start + first < matching.length, endCursor: cursors.at(-1) ?? null };
      }),
    recentFinished(limit) {
      const over = [...runs.values()]
        .filter((r) => r.status === "SUCCEEDED" || r.status === "FAILED")
        .sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0) || b.id.localeCompare(a.id));
      return Promise.resolve(over.slice(0, limit).map(withDuration));
    },
    active() {
      const run = active();
      return Promise.resolve(run ? withDuration(run) : null);
    },
    create({ trigger, scheduledFor = null, now }) {
      if ((trigger === "SCHEDULE") !== (scheduledFor !== null)) {
        return Promise.reject(new Error("scheduledFor is required for SCHEDULE runs and refused for MANUAL ones"));
      }
      const busy = active();
      if (busy) return Promise.reject(new PipelineBusyError(busy.id));
      const occurrence = scheduledFor?.getTime();
      if (occurrence !== undefined && [...runs.values()].some((r) => r.scheduledFor?.getTime() === occurrence)) {
        return Promise.reject(new PipelineBusyError(null, `${scheduledFor?.toISOString()} already has a run`));
      }
      const id = `run_${randomBytes(8).toString("hex")}`;
      const run: PipelineRunRecord = {
        id,
        status: "QUEUED",
        trigger,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        error: null,
        scheduledFor,
        heartbeatAt: null,
        producedModelId: null,
        promoted: false,
        comparison: null,
      };
      runs.set(id, run);
      steps.set(
        id,
        STEP_NAMES.map((name, position): StepRecord => {
          const never = { startedAt: null, finishedAt: null, durationMs: null, message: null };
          return { runId: id, position, name, status: "PENDING", ...never, cacheKey: null, outputHash: null };
        }),
      );
      return Promise.resolve(withDuration(run));
    },
    start: (runId, now) =>
      attempt(() => {
        const run = runOf(runId);
        if (run.status !== "QUEUED") throw new Error(`cannot start ${runId}: no QUEUED run has that id`);
        Object.assign(run, { status: "RUNNING", startedAt: now, heartbeatAt: now });
      }),
    heartbeat(runId, now) {
      const run = runs.get(runId);
      // A run already ended (failed as stale) keeps its record; the beat is dropped.
      if (run && isActive(run)) run.heartbeatAt = now;
      return Promise.resolve();
    },
    finish: (runId, { now, ...outcome }) =>
      attempt(() => {
        const run = runOf(runId);
        if (!isActive(run)) throw new Error(`cannot finish ${runId}: it is already ${run.status}`);
        const ended = { error: null, producedModelId: null, promoted: false, comparison: null, ...outcome };
        Object.assign(run, { ...ended, finishedAt: now });
      }),
    steps: (runId) => Promise.resolve(stepsOf(runId)),
    stepsOfRuns: (runIds) => Promise.resolve(new Map(runIds.map((id) => [id, stepsOf(id)]))),
    updateStep: (runId, name, change) =>
      attempt(() => {
        const step = steps.get(runId)?.find((s) => s.name === name);
        if (!step) throw new Error(`no step ${name} in pipeline run ${runId}`);
        Object.assign(step, change);
        step.durationMs = elapsed(step.startedAt, step.finishedAt);
      }),
    findCachedOutput(name, cacheKey) {
      const finished = [...steps.values()]
        .flat()
        .some((s) => s.name === name && s.cacheKey === cacheKey && (s.status === "SUCCEEDED" || s.status === "CACHED"));
      const output = outputs.get(cacheKey);
      return Promise.resolve(finished && output?.step === name ? { ...output, body: Buffer.from(output.body) } : null);
    },
    saveOutput(name, cacheKey, outputHash, body) {
      outputs.set(cacheKey, { step: name, outputHash, body: Buffer.from(body) });
      return Promise.resolve();
    },
    saveArtifact(artifact) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(artifact.name)) {
        return Promise.reject(new Error(`artifact names are a URL path segment; got ${artifact.name}`));
      }
      const sha256 = createHash("sha256").update(artifact.body, "utf8").digest("hex");
      artifacts.set(`${artifact.runId}/${artifact.name}`, { ...artifact, sha256 });
      return Promise.resolve();
    },
    artifact: (runId, name) => Promise.resolve(structuredClone(artifacts.get(`${runId}/${name}`) ?? null)),
    artifactNames(runId) {
      const names = [...artifacts.values()].filter((a) => a.runId === runId).map((a) => a.name);
      return Promise.resolve(names.sort());
    },
    failStale(staleBefore, now) {
      const stale = [...runs.values()].filter((r) => isActive(r) && (r.heartbeatAt ?? r.createdAt) < staleBefore);
      for (const run of stale) {
        const since = (run.heartbeatAt ?? run.createdAt).toISOString();
        const error = `the process running it stopped: no heartbeat since ${since}`;
        Object.assign(run, { status: "FAILED", error, finishedAt: now });
        for (const step of steps.get(run.id) ?? []) {
          if (step.status === "RUNNING") {
            Object.assign(step, { status: "FAILED", finishedAt: now });
            step.message = "interrupted: the process running it stopped";
          } else if (step.status === "PENDING") {
            Object.assign(step, { status: "SKIPPED", message: "not run: the process running the run stopped" });
          }
          step.durationMs = elapsed(step.startedAt, step.finishedAt);
        }
      }
      return Promise.resolve(stale.map((r) => r.id));
    },
  };
}

function isActive(run: PipelineRunRecord): boolean {
  return ACTIVE_RUN_STATUSES.includes(run.status);
}

/** A rejected promise, not a synchronous throw, as from the real store. */
function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function elapsed(from: Date | null, to: Date | null): number | null {
  return from && to ? to.getTime() - from.getTime() : null;
}
