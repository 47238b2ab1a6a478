import {
  createOnnxPredictor,
  FEATURE_NAMES,
  fromEpochDay,
  scoreFairPrices,
  selectRows,
  sha256Hex,
  splitByTime,
  type ModelMetrics,
  type ModelVersion,
  type PriceDataset,
} from "@pokewatch/model";
import type { RunComparison } from "../pipeline-types.js";
import { errorDistributionSvg } from "../plots/error-distribution-svg.js";
import { predictedVsActualSvg } from "../plots/predicted-vs-actual-svg.js";
import type { FeaturesOutput } from "./features-step.js";
import { StepFailure, type PipelineStep, type StepContext } from "./step.js";
import type { TrainOutput } from "./train-step.js";

export interface EvaluateInput {
  features: FeaturesOutput;
  train: TrainOutput;
}

export interface EvaluateOutput {
  comparison: RunComparison;
  /**
   * `predicted-vs-actual.svg` and `error-distribution.svg` of the candidate (the refit model, which
   * has seen these rows; its honest score is `comparison.candidate`); the runner stores them.
   */
  plots: { name: string; svg: string }[];
}

/**
 * Compares the candidate with the production model on the same hold-out rows: the latest dates of
 * this run's dataset, split by `splitByTime` as the trainer split it.
 *
 * The train step refits on every row (`refit: "all"`), so the registered model has seen the
 * hold-out rows and scoring it there would flatter it. The candidate's score is therefore
 * `newVersion.metrics`: the same recipe trained only on rows before the test dates, scored on
 * those rows by the trainer. Production is scored here on the same rows; when its training window
 * reaches the test dates it has seen (some of) them, which favours production, and the message
 * says so. The plots show the refit model on those rows, titled as such.
 */
export const evaluateStep: PipelineStep<EvaluateInput, EvaluateOutput> = {
  name: "evaluate",
  cacheable: true,
  codeUrl: new URL(import.meta.url),
  // The comparison depends on which model is in production, not only on the previous outputs.
  async cacheInput(ctx) {
    const production = await ctx.registry.production();
    return production ? `production ${production.id} ${production.artifactSha256}` : "no production model";
  },
  async run(ctx, { features: { dataset }, train: { newVersion } }) {
    if (!sameFeatures(newVersion.features, FEATURE_NAMES)) {
      throw new StepFailure(
        `the candidate's features do not match the dataset's columns: ${firstDifference(newVersion.features, FEATURE_NAMES)}`,
      );
    }
    const test = splitByTime(dataset).test;
    if (test.length === 0) throw new StepFailure("the dataset has no hold-out rows to evaluate on");
    // The trainer's hold-out score, from before the refit; it must be of these very rows.
    const candidate = newVersion.metrics;
    if (candidate.n !== test.length) {
      throw new StepFailure(
        `the candidate was scored on ${candidate.n} hold-out rows, but this dataset's hold-out has ${test.length}: it was not trained on this dataset's split`,
      );
    }
    const holdOut: HoldOut = { dataset, rows: test, features: selectRows(dataset, test).features };

    const { production, productionModelId, note } = await scoreProduction(ctx, newVersion.features, holdOut);
    const better = production === null || candidate.mape < production.mape;
    const comparison: RunComparison = { candidate, production, productionModelId, better };
    const refitRatios = await predictLogRatios(newVersion.artifact, newVersion.features.length, holdOut);
    const output: EvaluateOutput = { comparison, plots: plotsOf(dataset, test, refitRatios) };
    return { output, outputHash: sha256Hex(serialize(output)), message: messageOf(comparison, note) };
  },
  serialize,
  deserialize: (body) => JSON.parse(body.toString("utf8")) as EvaluateOutput,
};

function serialize(output: EvaluateOutput): Buffer {
  return Buffer.from(JSON.stringify(output), "utf8");
}

/** The hold-out rows of the dataset and their feature matrix, row-major. */
interface HoldOut {
  dataset: PriceDataset;
  rows: Uint32Array;
  features: Float32Array;
}

async function scoreProduction(
  ctx: StepContext,
  candidateFeatures: readonly string[],
  holdOut: HoldOut,
): Promise<{ production: ModelMetrics | null; productionModelId: string | null; note: string | null }> {
  const version = await ctx.registry.production();
  if (!version) return { production: null, productionModelId: null, note: "no production model to compare with" };
  if (!sameFeatures(version.features, candidateFeatures)) {
    return {
      production: null,
      productionModelId: version.id,
      note: `production ${version.id} cannot be scored on these rows, its features differ (${firstDifference(version.features, candidateFeatures)})`,
    };
  }
  const ratios = await predictLogRatios(await ctx.registry.loadArtifact(version), version.features.length, holdOut);
  const production = scoreFairPrices(holdOut.dataset, holdOut.rows, ratios, version.interval);
  return { production, productionModelId: version.id, note: seenNote(version, holdOut) };
}

/**
 * When production's training window reaches the first hold-out date, it was scored on rows it may
 * have been trained on (the candidate's score is of a model that never saw them): say so.
 */
function seenNote(version: ModelVersion, { dataset, rows }: HoldOut): string | null {
  let firstDay = Number.POSITIVE_INFINITY;
  for (const row of rows) firstDay = Math.min(firstDay, dataset.day[row]!);
  const firstTestDate = fromEpochDay(firstDay);
  // `YYYY-MM-DD` strings order as dates.
  if (version.trainingSummary.to < firstTestDate) return null;
  return `production was trained on data up to ${version.trainingSummary.to}, which covers hold-out dates from ${firstTestDate}, so it has seen some of these rows: the comparison favours production`;
}

async function predictLogRatios(artifact: Uint8Array, featureCount: number, holdOut: HoldOut): Promise<Float64Array> {
  const predictor = await createOnnxPredictor(artifact, featureCount);
  try {
    return Float64Array.from(await predictor.predict(holdOut.features, holdOut.rows.length));
  } finally {
    await predictor.close();
  }
}

function plotsOf(dataset: PriceDataset, test: Uint32Array, logRatios: Float64Array): EvaluateOutput["plots"] {
  const points = Array.from(test, (row, i) => ({
    predicted: dataset.price[row]! * Math.exp(logRatios[i]!),
    actual: dataset.actual[row]!,
  }));
  const percentErrors = points.map((p) => ((p.predicted - p.actual) / p.actual) * 100);
  return [
    {
      name: "predicted-vs-actual.svg",
      svg: predictedVsActualSvg(points, {
        title: "Candidate: predicted vs actual, refit model on hold-out dates (seen in training)",
      }),
    },
    {
      name: "error-distribution.svg",
      svg: errorDistributionSvg(percentErrors, {
        title: "Candidate: error distribution, refit model on hold-out dates (seen in training)",
      }),
    },
  ];
}

const sameFeatures = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((name, i) => name === b[i]);

/** Where two feature lists first part, for a message: `column 3: lag_7 vs rolling_mean_7`. */
function firstDifference(a: readonly string[], b: readonly string[]): string {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return `column ${at}: ${a[at] ?? "(none)"} vs ${b[at] ?? "(none)"}`;
}

export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

function messageOf({ candidate, production, better }: RunComparison, note: string | null): string {
  const rows = `${candidate.n.toLocaleString("en-US")} hold-out rows`;
  const verdict = better ? "better" : "not better";
  const candidateMape = `candidate MAPE ${percent(candidate.mape)} (before the refit)`;
  if (production === null) return `${candidateMape} on ${rows}; ${note}: ${verdict}`;
  const caveat = note ? ` (${note})` : "";
  return `${candidateMape} vs production ${percent(production.mape)} on ${rows}: ${verdict}${caveat}`;
}
