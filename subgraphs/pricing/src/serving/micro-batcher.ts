import type { OnnxPredictor } from "@pokewatch/model";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";

/** Longest `maxWaitMs` accepted: a request should never wait longer than this for company. */
export const MAX_WAIT_MS_LIMIT = 2;

export interface MicroBatcherOptions {
  /**
   * Longest the first row of a batch waits for more rows (0–2 ms). 0 runs it on the next macrotask
   * (`setImmediate`), so only calls made in the same turn of the event loop merge; below 1 Node's
   * timers round up to 1 ms. Undefined turns merging off: every call is its own run, which is what
   * a benchmark compares against.
   */
  maxWaitMs?: number;
  /** Most feature rows in one ONNX run; a larger call is split across runs. */
  maxBatchRows: number;
  /** Every run is observed in `onnxBatchRows` and `onnxSeconds`. */
  metrics?: Pick<PricingMetrics, "onnxBatchRows" | "onnxSeconds">;
  /** Called once per run with its row count, whether the run succeeded or not. */
  onBatch?: (rows: number) => void;
}

export interface MicroBatcher {
  /**
   * Predictions for `rows` feature rows laid out row-major in `features`, exactly those rows in
   * that order, run together with other callers' rows. `features` must not change until it settles.
   */
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
  /** Runs what is queued, waits for every run in flight, and refuses calls from now on. */
  close(): Promise<void>;
}

/** What the batcher needs of a predictor; overlapping runs must be safe. */
export type BatchablePredictor = Pick<OnnxPredictor, "featureCount" | "predict">;

/** One caller's promise; its rows may be spread over several runs. */
interface Call {
  rows: number;
  /** Runs not yet answered for this call. */
  waiting: number;
  /** Assembled only when the call was split. */
  output?: Float32Array;
  settled: boolean;
  resolve(values: Float32Array): void;
  reject(error: unknown): void;
}

/** Consecutive rows of one call inside one run. */
interface Piece {
  call: Call;
  features: Float32Array;
  rows: number;
  /** Index of the piece's first row in the call. */
  at: number;
}

interface Batch {
  pieces: Piece[];
  rows: number;
}

/** Throws when the options break the contract, naming the bad value. */
export function assertMicroBatcherOptions({
  maxWaitMs,
  maxBatchRows,
}: Pick<MicroBatcherOptions, "maxWaitMs" | "maxBatchRows">): void {
  if (
    maxWaitMs !== undefined &&
    (typeof maxWaitMs !== "number" || !(maxWaitMs >= 0 && maxWaitMs <= MAX_WAIT_MS_LIMIT))
  ) {
    throw new RangeError(
      `maxWaitMs must be a number of milliseconds from 0 to ${MAX_WAIT_MS_LIMIT}, or undefined to turn merging off; got ${String(maxWaitMs)}`,
    );
  }
  if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1) {
    throw new RangeError(`maxBatchRows must be a whole number ≥ 1, got ${String(maxBatchRows)}`);
  }
}

/**
 * A dynamic batcher in front of one predictor, as Triton's: rows that callers ask for within
 * `maxWaitMs` of a batch's first row go to ONNX as one run, and a batch that reaches
 * `maxBatchRows` runs at once.
 *
 * Hand-written rather than DataLoader (`batchScheduleFn` + `maxBatchSize` + `cache: false`, one key
 * per feature row), which was measured and fits poorly: it makes a promise and a result slot per
 * row, so batching a 1,000-row call cost 0.3–0.5 ms against 0.01–0.03 ms here (no-op predictor,
 * `maxWaitMs: 0`, two runs on a busy 2-core machine); in front of a 100-tree model answering 1,000
 * rows in ~1.3 ms, DataLoader added 0.4–0.7 ms per call and this queue no measurable time. A full
 * DataLoader batch also waits for its timer. Here a call is one promise, its rows are copied once
 * per run (not at all when a run holds a single call) and each caller gets a copy of exactly its
 * own rows.
 */
export function createMicroBatcher(predictor: BatchablePredictor, options: MicroBatcherOptions): MicroBatcher {
  assertMicroBatcherOptions(options);
  const { maxWaitMs, maxBatchRows, metrics, onBatch } = options;
  const { featureCount } = predictor;
  const inFlight = new Set<Promise<void>>();
  let open: Batch = { pieces: [], rows: 0 };
  let cancelTimer: (() => void) | undefined;
  let closed = false;

  const fail = (call: Call, error: unknown) => {
    if (call.settled) return;
    call.settled = true;
    call.reject(error);
  };

  const deliver = (piece: Piece, values: Float32Array, from: number, whole: boolean) => {
    const { call } = piece;
    if (call.settled) return;
    if (piece.rows === call.rows) {
      call.settled = true;
      // A run that was this call alone hands its output over as is; otherwise copy, so a caller
      // never holds a view onto other callers' predictions.
      call.resolve(whole ? values : values.slice(from, from + piece.rows));
      return;
    }
    call.output ??= new Float32Array(call.rows);
    call.output.set(values.subarray(from, from + piece.rows), piece.at);
    if (--call.waiting === 0) {
      call.settled = true;
      call.resolve(call.output);
    }
  };

  const run = async ({ pieces, rows }: Batch) => {
    let features = pieces[0]!.features;
    if (pieces.length > 1) {
      features = new Float32Array(rows * featureCount);
      let offset = 0;
      for (const piece of pieces) {
        features.set(piece.features, offset);
        offset += piece.features.length;
      }
    }
    const started = performance.now();
    let values: Float32Array;
    try {
      values = await predictor.predict(features, rows);
      if (values.length !== rows) throw new Error(`the model returned ${values.length} values for ${rows} rows`);
    } catch (error) {
      for (const piece of pieces) fail(piece.call, error);
      return;
    } finally {
      metrics?.onnxBatchRows.observe(rows);
      metrics?.onnxSeconds.observe((performance.now() - started) / 1000);
      onBatch?.(rows);
    }
    let from = 0;
    for (const piece of pieces) {
      deliver(piece, values, from, pieces.length === 1);
      from += piece.rows;
    }
  };

  const flush = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    const batch = open;
    open = { pieces: [], rows: 0 };
    if (batch.rows === 0) return;
    const running = run(batch);
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  };

  const schedule = () => {
    if (cancelTimer) return;
    if (maxWaitMs === 0) {
      const immediate = setImmediate(flush);
      cancelTimer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(flush, maxWaitMs);
      cancelTimer = () => clearTimeout(timeout);
    }
  };

  const enqueue = (features: Float32Array, rows: number, call: Call) => {
    for (let at = 0; at < rows;) {
      const take = Math.min(rows - at, maxBatchRows - open.rows);
      open.pieces.push({
        call,
        features: features.subarray(at * featureCount, (at + take) * featureCount),
        rows: take,
        at,
      });
      open.rows += take;
      call.waiting++;
      at += take;
      if (open.rows === maxBatchRows) flush();
    }
    if (open.rows === 0) return;
    if (maxWaitMs === undefined) flush();
    else schedule();
  };

  return {
    predict(features, rows) {
      if (closed) return Promise.reject(new Error("this model was closed; acquire the current production model"));
      if (!(features instanceof Float32Array)) {
        return Promise.reject(new TypeError("features must be a Float32Array of rows × featureCount values"));
      }
      if (!Number.isInteger(rows) || rows < 0 || features.length < rows * featureCount) {
        return Promise.reject(
          new RangeError(
            `rows must be a whole number ≥ 0 with rows × ${featureCount} ≤ features.length (${features.length}), got ${String(rows)}`,
          ),
        );
      }
      if (rows === 0) return Promise.resolve(new Float32Array(0));
      return new Promise<Float32Array>((resolve, reject) =>
        enqueue(features, rows, { rows, waiting: 0, settled: false, resolve, reject }),
      );
    },

    async close() {
      closed = true;
      flush();
      await Promise.all(inFlight);
    },
  };
}
