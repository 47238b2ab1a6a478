import {
  createOnnxPredictor,
  FEATURE_NAMES,
  scoreFairPrices,
  selectRows,
  sha256Hex,
  splitByTime,
  type ModelMetrics,
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
  /** `predicted-vs-actual.svg` and `error-distribution.svg` of the candidate; the runner stores them. */
  plots: { name: string; svg: string }[];
}

/**
 * Scores the candidate and the production model on the same hold-out rows (the latest dates of
 * this run's dataset, split as the trainer split it), so `better` compares like with like. The
 * train step refits on every row, so the candidate has seen these rows, much as the production
 * model trained a run earlier has seen most of them; `newVersion.metrics` keep the score from
 * before the refit.
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
    const holdOut: HoldOut = { dataset, rows: test, features: selectRows(dataset, test).features };
    const candidateRatios = await predictLogRatios(newVersion.artifact, newVersion.features.length, holdOut);
    const candidate = scoreFairPrices(dataset, test, candidateRatios, newVersion.interval);

    const { production, productionModelId, note } = await scoreProduction(ctx, newVersion.features, holdOut);
    const better = production === null || candidate.mape < production.mape;
    const comparison: RunComparison = { candidate, production, productionModelId, better };
    const output: EvaluateOutput = { comparison, plots: plotsOf(dataset, test, candidateRatios) };
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
  return { production, productionModelId: version.id, note: null };
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
      svg: predictedVsActualSvg(points, { title: "Candidate: predicted vs actual on the hold-out" }),
    },
    {
      name: "error-distribution.svg",
      svg: errorDistributionSvg(percentErrors, { title: "Candidate: error distribution on the hold-out" }),
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
  if (production === null) return `candidate MAPE ${percent(candidate.mape)} on ${rows}; ${note}: ${verdict}`;
  return `candidate MAPE ${percent(candidate.mape)} vs production ${percent(production.mape)} on ${rows}: ${verdict}`;
}
