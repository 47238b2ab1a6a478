import { siblingEntry, startModuleWorker } from "@pokewatch/kit";
import { StepFailure, StepStop, type StepContext } from "../steps/step.js";
import type { ComputeTaskName, ComputeTasks } from "./compute-tasks.js";
import type { WorkerMessage, WorkerRequest } from "./compute.worker.js";

export interface ComputeOptions {
  /** Progress lines the task reports (trees grown). */
  progress?: ((message: string) => void) | undefined;
  /** Aborting terminates the worker: the step fails with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The longest the task may take before its worker is terminated and the step fails. */
  timeoutMs: number;
  /** Buffers of the input to move to the worker instead of copying (the caller gives them up). */
  transfer?: ArrayBuffer[];
}

/** A step's progress, stop signal and compute time limit, as the worker options. */
export const computeOptions = (ctx: StepContext): ComputeOptions => ({
  progress: ctx.progress,
  signal: ctx.signal,
  timeoutMs: ctx.options.computeTimeoutMs,
});

type Input<K extends ComputeTaskName> = Parameters<ComputeTasks[K]>[0];
type Output<K extends ComputeTaskName> = Awaited<ReturnType<ComputeTasks[K]>>["result"];

const ENTRY = siblingEntry(import.meta.url, "compute.worker");

/**
 * Runs one compute task (features, training) in a fresh worker thread, so that the event loop
 * serving API calls stays free meanwhile. Resolves with the task's result; rejects with a
 * StepStop when the task reports one, a StepFailure when the task reports one, when the worker dies, times out or is aborted, and with
 * an Error (logged, masked in the run) when the task throws anything else. The worker is always
 * terminated when this settles.
 */
export function runInComputeWorker<K extends ComputeTaskName>(
  task: K,
  input: Input<K>,
  { progress, signal, timeoutMs, transfer = [] }: ComputeOptions,
): Promise<Output<K>> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  if (signal?.aborted) return Promise.reject(new StepFailure(stoppedMessage(task, signal)));
  return new Promise<Output<K>>((resolve, reject) => {
    const worker = startModuleWorker(ENTRY);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      outcome();
    };
    const fail = (message: string) => settle(() => reject(new StepFailure(message)));
    const onAbort = () => fail(stoppedMessage(task, signal!));
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => fail(`${task} took longer than ${minutes(timeoutMs)} in its worker thread: stopped`),
      timeoutMs,
    );

    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") progress?.(message.message);
      else if (message.type === "done") settle(() => resolve(message.result as Output<K>));
      else if (message.type === "stop") settle(() => reject(new StepStop(message.message)));
      else if (message.type === "failure") fail(message.message);
      else
        settle(() => reject(Object.assign(new Error(`${task} worker: ${message.message}`), { stack: message.stack })));
    });
    worker.on("error", (err) => {
      const oom = (err as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      // The error itself goes to the log with the step failure (as its cause), not into the message.
      const reason = oom ? "it ran out of memory" : `uncaught ${err.name}`;
      const failure = new StepFailure(`the ${task} worker thread crashed (${reason}) before it finished`);
      settle(() => reject(Object.assign(failure, { cause: err })));
    });
    worker.on("exit", (code) => fail(`the ${task} worker thread exited (code ${code}) before it finished`));
    const request: WorkerRequest = { task, input };
    worker.postMessage(request, transfer);
  });
}

function stoppedMessage(task: string, signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name !== "AbortError" ? reason.message : "the run was stopped";
  return `${task} stopped: ${why}`;
}

/** A byte array that came back from a worker (a plain Uint8Array there) as a Buffer, without a copy. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms)} ms`);
