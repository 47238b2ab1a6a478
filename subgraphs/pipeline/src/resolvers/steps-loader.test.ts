import { describe, expect, it } from "vitest";
import type { StepRecord } from "../pipeline/pipeline-types.js";
import { createStepsLoader } from "./steps-loader.js";

const step = (runId: string): StepRecord => ({
  runId,
  position: 0,
  name: "ingest",
  status: "PENDING",
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  message: null,
  cacheKey: null,
  outputHash: null,
});

/** A `stepsOfRuns` that records each batch it is asked for; runs named `missing…` have no steps. */
function recordingStore() {
  const batches: string[][] = [];
  const stepsOfRuns = (runIds: readonly string[]) => {
    batches.push([...runIds]);
    return Promise.resolve(
      new Map(runIds.filter((id) => !id.startsWith("missing")).map((id) => [id, [step(id)]] as [string, StepRecord[]])),
    );
  };
  return { batches, stepsOfRuns };
}

describe("createStepsLoader", () => {
  it("asks for the runs loaded in the same tick in one batch, in the order asked", async () => {
    const { batches, stepsOfRuns } = recordingStore();
    const loader = createStepsLoader(stepsOfRuns);
    const steps = await Promise.all(["run_b", "run_a", "run_c"].map((id) => loader.load(id)));
    expect(steps.map(([first]) => first?.runId)).toEqual(["run_b", "run_a", "run_c"]);
    expect(batches).toEqual([["run_b", "run_a", "run_c"]]);
  });

  it("waits for loads made by resolvers of resolved promises before sending the batch", async () => {
    const { batches, stepsOfRuns } = recordingStore();
    const loader = createStepsLoader(stepsOfRuns);
    const first = loader.load("run_a");
    const later = Promise.resolve()
      .then(() => undefined)
      .then(() => loader.load("run_b"));
    await Promise.all([first, later]);
    expect(batches).toEqual([["run_a", "run_b"]]);
  });

  it("asks for each run once: a run loaded again gets the same steps", async () => {
    const { batches, stepsOfRuns } = recordingStore();
    const loader = createStepsLoader(stepsOfRuns);
    const [a, again] = await Promise.all([loader.load("run_a"), loader.load("run_a")]);
    expect(await loader.load("run_a")).toBe(a);
    expect(again).toBe(a);
    await loader.load("run_b");
    expect(batches).toEqual([["run_a"], ["run_b"]]);
  });

  it("gives a run without steps an empty list", async () => {
    const loader = createStepsLoader(recordingStore().stepsOfRuns);
    expect(await loader.load("missing_run")).toEqual([]);
  });

  it("fails every load of a batch when the store fails, even at once", async () => {
    const failing = createStepsLoader(() => Promise.reject(new Error("connection lost")));
    await expect(Promise.all([failing.load("run_a"), failing.load("run_b")])).rejects.toThrow("connection lost");
    const throwing = createStepsLoader(() => {
      throw new Error("pool closed");
    });
    const settled = await Promise.allSettled([throwing.load("run_a"), throwing.load("run_b")]);
    expect(settled.map((result) => result.status === "rejected" && (result.reason as Error).message)).toEqual([
      "pool closed",
      "pool closed",
    ]);
  });
});
