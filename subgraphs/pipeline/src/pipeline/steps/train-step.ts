import {
  isModelInputError,
  toModelVersion,
  trainFairPriceModel,
  type FairPriceModel,
  type NewModelVersion,
  type PriceDataset,
} from "@pokewatch/model";
import { asBuffer, computeOptions, runInComputeWorker } from "../worker/compute-worker.js";
import { MODEL_SRC_URL, codeVersionOfDir, sha256Hex } from "./content-hash.js";
import type { FeaturesOutput } from "./features-step.js";
import { StepFailure, StepStop, type PipelineStep, type StepResult } from "./step.js";

/** A trained model, packed for the registry, with its ONNX export checked against the trees. */
export interface TrainOutput {
  newVersion: NewModelVersion;
  /** Largest difference between the ONNX export's and the trees' predictions on sampled rows. */
  onnxMaxAbsDiff: number;
  trees: number;
}

const FORMAT = "pokewatch.model/1";
/** Progress lines at most every this many trees within a stage. */
const PROGRESS_EVERY_TREES = 25;
const count = (n: number) => n.toLocaleString("en-US");
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * Step 4: trains the fair-price model (scored on the latest dates, then refit on every row),
 * exports it to ONNX and proves the export matches the trees.
 */
export const trainStep: PipelineStep<FeaturesOutput, TrainOutput> = {
  name: "train",
  cacheable: true,
  codeUrl: new URL(import.meta.url),
  /**
   * The tree count asked for is an input too (`--trees 9` must not reuse a 5-tree model), and so
   * is the model package's training code.
   */
  cacheInput: (ctx) => Promise.resolve(`trees=${ctx.options.trees ?? "early-stopping"} code=${trainingCodeVersion()}`),

  // Minutes of CPU on a large catalog: in a worker thread, so that serving goes on meanwhile. The
  // dataset is copied there (evaluate still needs it here), the model comes back.
  async run(ctx, { dataset, sources }) {
    const result = await runInComputeWorker(
      "train",
      { dataset, sources, trees: ctx.options.trees },
      computeOptions(ctx),
    );
    // Buffers arrive from the worker as plain Uint8Arrays.
    const { newVersion } = result.output;
    const artifact = asBuffer(newVersion.artifact);
    return {
      ...result,
      output: { ...result.output, newVersion: { ...newVersion, artifact } },
      body: asBuffer(result.body),
    };
  },

  serialize: (output) => serializeTrainOutput(output),
  deserialize: (body) => deserializeTrainOutput(body),
};

/**
 * `@pokewatch/model`'s training code: what trains, scores and exports the model (`training/`,
 * `features/` it reads rows through, `evaluation/` it scores with, `onnx/` it exports with).
 */
export function trainingCodeVersion(src: URL = MODEL_SRC_URL): string {
  return sha256Hex(
    ...["training/", "features/", "evaluation/", "onnx/"].map((dir) => codeVersionOfDir(new URL(dir, src))),
  );
}

/**
 * The step's work, as its worker thread does it: trains the model (scored on the latest dates,
 * then refit on every row), exports it to ONNX and checks the export; hashed and serialized.
 */
export async function computeTrainOutput(
  dataset: PriceDataset,
  sources: string[],
  trees: number | undefined,
  progress: (message: string) => void,
): Promise<Required<Pick<StepResult<TrainOutput>, "output" | "outputHash" | "message" | "body">>> {
  let model: FairPriceModel;
  try {
    model = trainFairPriceModel(dataset, { sources, refit: "all", trees, onProgress: progressReporter(progress) });
  } catch (error) {
    // Too few dates for the time-based split is the normal state of the first weeks of collecting.
    if (isModelInputError(error) && error.code === "INSUFFICIENT_HISTORY") throw new StepStop(error.message);
    if (isModelInputError(error)) throw new StepFailure(error.message);
    throw error;
  }
  progress("exporting to ONNX and checking it against the trees");
  const { newVersion, onnxMaxAbsDiff } = await toModelVersion(model, dataset);
  const output: TrainOutput = { newVersion, onnxMaxAbsDiff, trees: model.ensemble.trees.length };
  const { metrics, trainingSummary: summary } = newVersion;
  return {
    output,
    outputHash: trainOutputHash(output),
    body: serializeTrainOutput(output),
    message:
      `${output.trees} trees on ${count(summary.rows)} rows of ${count(summary.cards)} cards: hold-out MAPE ` +
      `${percent(metrics.mape)} (last price ${percent(metrics.baselines.lastPrice.mape)}, ` +
      `mean of last 3 ${percent(metrics.baselines.rollingMean3.mape)}); ONNX max diff ${onnxMaxAbsDiff.toExponential(1)}`,
  };
}

/** One line per PROGRESS_EVERY_TREES trees, and at each stage's first and last tree. */
function progressReporter(progress: (message: string) => void) {
  let [lastStage, lastGrown] = ["", 0];
  return (stage: string, grown: number, total: number) => {
    if (stage === lastStage && grown !== total && grown - lastGrown < PROGRESS_EVERY_TREES) return;
    [lastStage, lastGrown] = [stage, grown];
    progress(`${stage}: ${grown}/${total} trees`);
  };
}

/**
 * The model's bytes and everything it is registered with, except the training time: the same
 * data and code give the same hash (and the registry reuses a version with the same artifact).
 */
export function trainOutputHash({ newVersion, onnxMaxAbsDiff, trees }: TrainOutput): string {
  const { artifact, trainingSummary, ...rest } = newVersion;
  const summary = { ...trainingSummary, trainingMs: 0 };
  return sha256Hex(artifact, JSON.stringify({ ...rest, trainingSummary: summary, onnxMaxAbsDiff, trees }, replacer));
}

// JSON has no NaN, Infinity or -0 (a metric of an empty hold-out can be NaN): kept as tagged strings.
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0)))
    return { $number: Object.is(value, -0) ? "-0" : String(value) };
  return value;
}
function reviver(_key: string, value: unknown): unknown {
  const tagged = value as { $number?: unknown } | null;
  if (typeof tagged === "object" && tagged !== null && typeof tagged.$number === "string")
    return Number(tagged.$number);
  return value;
}

/**
 * A train output as bytes: a 4-byte little-endian length, JSON of everything but the artifact,
 * then the ONNX bytes. Lossless.
 */
export function serializeTrainOutput({ newVersion, onnxMaxAbsDiff, trees }: TrainOutput): Buffer {
  const { artifact, ...described } = newVersion;
  const json = Buffer.from(JSON.stringify({ format: FORMAT, newVersion: described, onnxMaxAbsDiff, trees }, replacer));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([length, json, artifact]);
}

/** Reads back what `serializeTrainOutput` wrote; throws on anything else (a stale cache entry). */
export function deserializeTrainOutput(body: Buffer): TrainOutput {
  const jsonEnd = 4 + body.readUInt32LE(0);
  const parsed = JSON.parse(body.subarray(4, jsonEnd).toString("utf8"), reviver) as Omit<TrainOutput, "newVersion"> & {
    format?: unknown;
    newVersion: Omit<NewModelVersion, "artifact">;
  };
  if (parsed.format !== FORMAT) throw new Error(`not a ${FORMAT} step output`);
  // A copy: the artifact must not pin (or alias) the whole cached body.
  const artifact = Buffer.from(body.subarray(jsonEnd));
  return {
    newVersion: { ...parsed.newVersion, artifact },
    onnxMaxAbsDiff: parsed.onnxMaxAbsDiff,
    trees: parsed.trees,
  };
}
