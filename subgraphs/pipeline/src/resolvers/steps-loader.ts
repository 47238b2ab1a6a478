import type { RunStore, StepRecord } from "../pipeline/pipeline-types.js";

/** The steps of runs by run id, batched and memoized for one request (a DataLoader in small). */
export interface StepsLoader {
  load(runId: string): Promise<StepRecord[]>;
}

interface Waiting {
  resolve: (steps: StepRecord[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Every `load` made while GraphQL resolves one level of a response (a page of runs, the entities
 * of one fetch) becomes one `stepsOfRuns` call. The batch is sent as DataLoader sends it: after
 * the promise jobs already queued, so the sibling resolvers have all asked by then.
 */
export function createStepsLoader(stepsOfRuns: RunStore["stepsOfRuns"]): StepsLoader {
  const memo = new Map<string, Promise<StepRecord[]>>();
  let batch: Map<string, Waiting> | null = null;

  function dispatch(waiting: Map<string, Waiting>): void {
    // Through a promise, so that a store throwing at once rejects the batch like one failing later.
    Promise.resolve([...waiting.keys()])
      .then((runIds) => stepsOfRuns(runIds))
      .then(
        (byRun) => waiting.forEach(({ resolve }, runId) => resolve(byRun.get(runId) ?? [])),
        (error: unknown) => waiting.forEach(({ reject }) => reject(error)),
      );
  }

  return {
    load(runId) {
      const known = memo.get(runId);
      if (known) return known;
      if (!batch) {
        const waiting = (batch = new Map<string, Waiting>());
        void Promise.resolve().then(() =>
          process.nextTick(() => {
            batch = null;
            dispatch(waiting);
          }),
        );
      }
      const current = batch;
      const steps = new Promise<StepRecord[]>((resolve, reject) => current.set(runId, { resolve, reject }));
      memo.set(runId, steps);
      return steps;
    },
  };
}
