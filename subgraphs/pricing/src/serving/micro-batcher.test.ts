import { afterEach, describe, expect, it, vi } from "vitest";
import { createPricingMetrics } from "../metrics/pricing-metrics.js";
import { createMicroBatcher, type BatchablePredictor, type MicroBatcherOptions } from "./micro-batcher.js";

const FEATURES = 3;

/**
 * Rows whose first feature is their id; the fake model answers `id + 0.5`, so every value names
 * the row it came from. A NaN id poisons the run it lands in.
 */
const rowsOf = (...ids: number[]) => {
  const features = new Float32Array(ids.length * FEATURES).fill(-1);
  ids.forEach((id, row) => (features[row * FEATURES] = id));
  return features;
};
const answersFor = (...ids: number[]) => Array.from(ids, (id) => id + 0.5);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Records the row ids of every run it is asked for. */
function recordingPredictor(): BatchablePredictor & { runs: number[][] } {
  const runs: number[][] = [];
  return {
    featureCount: FEATURES,
    runs,
    predict(features, rows) {
      const ids = range(0, rows).map((row) => features[row * FEATURES]!);
      runs.push(ids);
      if (ids.some(Number.isNaN)) return Promise.reject(new Error("poisoned run"));
      return Promise.resolve(Float32Array.from(ids, (id) => id + 0.5));
    },
  };
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));
const values = async (promise: Promise<Float32Array>) => Array.from(await promise);
const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

function batcherWith(options: Partial<MicroBatcherOptions> = {}) {
  const predictor = recordingPredictor();
  const batches: number[] = [];
  const batcher = createMicroBatcher(predictor, {
    maxWaitMs: 2,
    maxBatchRows: 100,
    onBatch: (rows) => batches.push(rows),
    ...options,
  });
  return { predictor, batcher, batches };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("micro-batcher", () => {
  it("merges concurrent calls into one run and gives each caller exactly its rows, in order", async () => {
    const { predictor, batcher, batches } = batcherWith();
    const [a, b, c] = await Promise.all([
      values(batcher.predict(rowsOf(1, 2, 3), 3)),
      values(batcher.predict(rowsOf(10), 1)),
      values(batcher.predict(rowsOf(20, 21), 2)),
    ]);
    expect(predictor.runs).toEqual([[1, 2, 3, 10, 20, 21]]);
    expect(batches).toEqual([6]);
    expect(a).toEqual(answersFor(1, 2, 3));
    expect(b).toEqual(answersFor(10));
    expect(c).toEqual(answersFor(20, 21));
  });

  it("only predicts the rows asked for, even when features holds more", async () => {
    const { predictor, batcher } = batcherWith();
    expect(await values(batcher.predict(rowsOf(1, 2, 3), 2))).toEqual(answersFor(1, 2));
    expect(predictor.runs).toEqual([[1, 2]]);
  });

  it("runs a batch maxWaitMs after its first row, with whatever arrived by then", async () => {
    vi.useFakeTimers();
    const { predictor, batcher } = batcherWith({ maxWaitMs: 2 });
    const first = batcher.predict(rowsOf(1), 1);
    await vi.advanceTimersByTimeAsync(1);
    const second = batcher.predict(rowsOf(2), 1);
    expect(predictor.runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(predictor.runs).toEqual([[1, 2]]);

    const third = batcher.predict(rowsOf(3), 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(predictor.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(predictor.runs).toEqual([[1, 2], [3]]);
    expect(await Promise.all([first, second, third].map(values))).toEqual([
      answersFor(1),
      answersFor(2),
      answersFor(3),
    ]);
  });

  it("with maxWaitMs 0, merges calls made in the same turn and runs them on the next macrotask", async () => {
    const { predictor, batcher } = batcherWith({ maxWaitMs: 0 });
    const same = [batcher.predict(rowsOf(1), 1), batcher.predict(rowsOf(2), 1)];
    await nextMacrotask();
    const later = batcher.predict(rowsOf(3), 1);
    await Promise.all([...same, later]);
    expect(predictor.runs).toEqual([[1, 2], [3]]);
  });

  it("runs a batch as soon as it holds maxBatchRows, without waiting for the timer", async () => {
    vi.useFakeTimers();
    const { predictor, batcher, batches } = batcherWith({ maxWaitMs: 2, maxBatchRows: 4 });
    const full = [batcher.predict(rowsOf(1, 2, 3), 3), batcher.predict(rowsOf(4), 1)];
    expect(predictor.runs).toEqual([[1, 2, 3, 4]]);
    expect(await Promise.all(full.map(values))).toEqual([answersFor(1, 2, 3), answersFor(4)]);

    // The next batch starts empty and has a timer of its own.
    const next = batcher.predict(rowsOf(5), 1);
    await vi.advanceTimersByTimeAsync(2);
    expect(await values(next)).toEqual(answersFor(5));
    expect(batches).toEqual([4, 1]);
  });

  it("splits a call larger than maxBatchRows across runs and reassembles its rows in order", async () => {
    const { predictor, batcher, batches } = batcherWith({ maxBatchRows: 4 });
    const ids = range(100, 10);
    const [big, small] = await Promise.all([
      values(batcher.predict(rowsOf(...ids), 10)),
      values(batcher.predict(rowsOf(7), 1)),
    ]);
    expect(batches).toEqual([4, 4, 3]);
    expect(predictor.runs).toEqual([ids.slice(0, 4), ids.slice(4, 8), [...ids.slice(8), 7]]);
    expect(big).toEqual(answersFor(...ids));
    expect(small).toEqual(answersFor(7));
  });

  it("fills a batch to maxBatchRows with part of a call and carries the rest into the next run", async () => {
    const { predictor, batcher } = batcherWith({ maxBatchRows: 4 });
    const [a, b] = await Promise.all([
      values(batcher.predict(rowsOf(1, 2, 3), 3)),
      values(batcher.predict(rowsOf(4, 5, 6), 3)),
    ]);
    expect(predictor.runs).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(a).toEqual(answersFor(1, 2, 3));
    expect(b).toEqual(answersFor(4, 5, 6));
  });

  it("rejects only the callers whose rows were in the failed run", async () => {
    const { predictor, batcher, batches } = batcherWith({ maxBatchRows: 3 });
    const [beside, poisoned, afterwards] = await settle([
      batcher.predict(rowsOf(1, 2), 2),
      batcher.predict(rowsOf(NaN), 1),
      batcher.predict(rowsOf(3, 4), 2),
    ]);
    expect(predictor.runs).toHaveLength(2);
    expect(batches).toEqual([3, 2]);
    expect(beside).toMatchObject({ status: "rejected", reason: new Error("poisoned run") });
    expect(poisoned).toMatchObject({ status: "rejected", reason: new Error("poisoned run") });
    expect(afterwards).toEqual({ status: "fulfilled", value: Float32Array.from(answersFor(3, 4)) });
  });

  it("rejects a split call once when one of its runs fails, and spares the runs' other callers", async () => {
    const { batcher } = batcherWith({ maxBatchRows: 2 });
    const [clean, split, sharesTheBadRun] = await settle([
      batcher.predict(rowsOf(1, 2), 2),
      batcher.predict(rowsOf(3, 4, NaN), 3),
      batcher.predict(rowsOf(5), 1),
    ]);
    expect(clean).toEqual({ status: "fulfilled", value: Float32Array.from(answersFor(1, 2)) });
    expect(split).toMatchObject({ status: "rejected", reason: new Error("poisoned run") });
    expect(sharesTheBadRun).toMatchObject({ status: "rejected", reason: new Error("poisoned run") });

    // The batcher keeps working after a failure.
    expect(await values(batcher.predict(rowsOf(6), 1))).toEqual(answersFor(6));
  });

  it("rejects the run's callers when the model answers a different number of rows", async () => {
    const predictor: BatchablePredictor = {
      featureCount: FEATURES,
      predict: () => Promise.resolve(new Float32Array(1)),
    };
    const batcher = createMicroBatcher(predictor, { maxWaitMs: 0, maxBatchRows: 10 });
    await expect(batcher.predict(rowsOf(1, 2), 2)).rejects.toThrow("the model returned 1 values for 2 rows");
  });

  it("without maxWaitMs, runs every call on its own (still split at maxBatchRows)", async () => {
    const { predictor, batcher, batches } = batcherWith({ maxWaitMs: undefined, maxBatchRows: 4 });
    const answers = await Promise.all([
      values(batcher.predict(rowsOf(1), 1)),
      values(batcher.predict(rowsOf(2, 3), 2)),
      values(batcher.predict(rowsOf(...range(10, 6)), 6)),
    ]);
    expect(predictor.runs).toEqual([[1], [2, 3], range(10, 4), range(14, 2)]);
    expect(batches).toEqual([1, 2, 4, 2]);
    expect(answers).toEqual([answersFor(1), answersFor(2, 3), answersFor(...range(10, 6))]);
  });

  it("observes every run's rows and duration in the pricing metrics", async () => {
    const metrics = createPricingMetrics();
    const { batcher } = batcherWith({ maxBatchRows: 4, metrics });
    await settle([batcher.predict(rowsOf(...range(1, 6)), 6), batcher.predict(rowsOf(NaN), 1)]);
    const rows = await metrics.onnxBatchRows.get();
    const seconds = await metrics.onnxSeconds.get();
    const total = (name: string, metric: typeof rows) => metric.values.find((v) => v.metricName === name)?.value;
    expect(total("pokewatch_onnx_batch_rows_count", rows)).toBe(2);
    expect(total("pokewatch_onnx_batch_rows_sum", rows)).toBe(7);
    expect(total("pokewatch_onnx_inference_seconds_count", seconds)).toBe(2);
  });

  it("answers zero rows at once, without a run", async () => {
    const { predictor, batcher } = batcherWith();
    expect(await batcher.predict(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    await nextMacrotask();
    expect(predictor.runs).toEqual([]);
  });

  it("on close, runs what is queued, waits for it, then refuses new calls", async () => {
    const { predictor, batcher } = batcherWith({ maxWaitMs: 2 });
    const queued = batcher.predict(rowsOf(1), 1);
    await batcher.close();
    expect(predictor.runs).toEqual([[1]]);
    expect(await values(queued)).toEqual(answersFor(1));
    await expect(batcher.predict(rowsOf(2), 1)).rejects.toThrow(/closed/);
  });
});

describe("micro-batcher misuse", () => {
  const predictor = recordingPredictor();

  it.each([-1, 2.5, 3, Number.NaN, Number.POSITIVE_INFINITY, "1" as unknown as number, null as unknown as number])(
    "refuses maxWaitMs %s",
    (maxWaitMs) => {
      expect(() => createMicroBatcher(predictor, { maxWaitMs, maxBatchRows: 10 })).toThrow(
        `maxWaitMs must be a number of milliseconds from 0 to 2, or undefined to turn merging off; got ${String(maxWaitMs)}`,
      );
    },
  );

  it.each([0, -4, 1.5, Number.NaN, undefined as unknown as number])("refuses maxBatchRows %s", (maxBatchRows) => {
    expect(() => createMicroBatcher(predictor, { maxWaitMs: 1, maxBatchRows })).toThrow(
      `maxBatchRows must be a whole number ≥ 1, got ${String(maxBatchRows)}`,
    );
  });

  it("rejects calls that do not describe their features", async () => {
    const batcher = createMicroBatcher(predictor, { maxWaitMs: 0, maxBatchRows: 10 });
    await expect(batcher.predict(rowsOf(1), 2)).rejects.toThrow(
      "rows must be a whole number ≥ 0 with rows × 3 ≤ features.length (3), got 2",
    );
    await expect(batcher.predict(rowsOf(1), 0.5)).rejects.toThrow(RangeError);
    await expect(batcher.predict(rowsOf(1), -1)).rejects.toThrow(RangeError);
    await expect(batcher.predict([1, 2, 3] as unknown as Float32Array, 1)).rejects.toThrow(
      "features must be a Float32Array",
    );
    expect(predictor.runs).toEqual([]);
  });
});
