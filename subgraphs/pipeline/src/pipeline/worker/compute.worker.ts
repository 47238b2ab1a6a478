import { parentPort } from "node:worker_threads";
import { isModelInputError } from "@pokewatch/model";
import { StepFailure, StepStop } from "../steps/step.js";
import { computeTasks, type ComputeTaskName } from "./compute-tasks.js";

/** What the parent sends: one task per worker. */
export interface WorkerRequest {
  task: ComputeTaskName;
  input: unknown;
}

/** What the worker answers: progress lines, then one of done, stop (StepStop), failure (StepFailure) or error. */
export type WorkerMessage =
  | { type: "progress"; message: string }
  | { type: "done"; result: unknown }
  | { type: "stop"; message: string }
  | { type: "failure"; message: string }
  | { type: "error"; message: string; stack: string | undefined };

const port = parentPort;
if (!port) throw new Error("compute.worker is a worker thread entry: start it with runInComputeWorker");

port.once("message", ({ task, input }: WorkerRequest) => {
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const run = computeTasks[task] as (
    input: unknown,
    progress: (message: string) => void,
  ) => Promise<{ result: unknown; transfer: ArrayBuffer[] }>;
  // Through a promise, so that a task's synchronous throw is a rejection like any other.
  Promise.resolve()
    .then(() => run(input, (message) => post({ type: "progress", message })))
    .then(
      ({ result, transfer }) => post({ type: "done", result }, transfer),
      (error: unknown) => {
        if (error instanceof StepStop) post({ type: "stop", message: error.message });
        else if (error instanceof StepFailure || isModelInputError(error))
          post({ type: "failure", message: error.message });
        else
          post({ type: "error", message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack });
      },
    );
});
