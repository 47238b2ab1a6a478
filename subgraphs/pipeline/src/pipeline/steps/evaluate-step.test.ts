import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import {
  createCatalog,
  createMarketSimulator,
  createPriceStore,
  loadBundledCatalog,
  simulatedCatalogData,
  type Catalog,
} from "@pokewatch/market";
import {
  buildPriceDataset,
  catalogAttributes,
  createModelRegistry,
  fromEpochDay,
  modelMigrations,
  scoreFairPrices,
  sha256Hex,
  splitByTime,
  toEpochDay,
  toModelVersion,
  trainFairPriceModel,
  type ModelRegistry,
  type NewModelVersion,
  type PriceDataset,
} from "@pokewatch/model";
import { fixedRatioModelVersion, newModelVersionFixture } from "@pokewatch/model/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { evaluateStep, type EvaluateInput } from "./evaluate-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, type StepContext } from "./step.js";
import type { TrainOutput } from "./train-step.js";

const CARDS = 30;
let db: Database;
let dataDir: string;
let registry: ModelRegistry;
let catalog: Catalog;
let dataset: PriceDataset;
/** Trained on the dataset with 5 trees: better than a constant ratio, worse than nothing else here. */
let trained: NewModelVersion;

beforeAll(async () => {
  catalog = createCatalog(simulatedCatalogData(CARDS, loadBundledCatalog()));
  const simulator = createMarketSimulator({ cards: CARDS, days: 90, seed: 1 });
  const series = simulator.cards.map((card, i) => ({ cardId: card.id, points: simulator.simulateCardSeries(i) }));
  dataset = buildPriceDataset(series, catalogAttributes(catalog));
  const model = trainFairPriceModel(dataset, { sources: ["simulator seed=1"], trees: 5 });
  trained = (await toModelVersion(model, dataset)).newVersion;
  db = await createPgliteDatabase();
  await runMigrations(db, "model", modelMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "evaluate-step-"));
  registry = createModelRegistry({ db });
});
afterAll(async () => {
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.exec("TRUNCATE model_versions");
});

const context = (): StepContext => ({
  db,
  prices: createPriceStore(db),
  registry,
  catalog,
  logger: silentLogger(),
  dataDir,
  clock: () => new Date("2026-01-01T05:00:00Z"),
  options: DEFAULT_PIPELINE_OPTIONS,
  runId: "run_evaluate_test",
});

const input = (newVersion: NewModelVersion): EvaluateInput => {
  const train: TrainOutput = { newVersion, onnxMaxAbsDiff: 0, trees: 5 };
  return { features: { dataset, sources: ["simulator seed=1"] }, train };
};

/** The metrics of a model predicting the same log ratio for every hold-out row. */
const constantRatioMetrics = (logRatio: number, interval: NewModelVersion["interval"]) => {
  const test = splitByTime(dataset).test;
  return scoreFairPrices(dataset, test, new Float64Array(test.length).fill(logRatio), interval);
};

/** A fixed-ratio model whose registered metrics are its true hold-out score, as the trainer's would be. */
const fixedRatioCandidate = (logRatio: number): NewModelVersion => {
  const version = fixedRatioModelVersion(logRatio);
  return { ...version, metrics: constantRatioMetrics(logRatio, version.interval) };
};

/** `version`, trained on data up to `to`. */
const trainedUpTo = (version: NewModelVersion, to: string): NewModelVersion => ({
  ...version,
  trainingSummary: { ...version.trainingSummary, from: "1999-01-01", to },
});

/** The first hold-out date, `YYYY-MM-DD`. */
const firstTestDate = () =>
  fromEpochDay(Math.min(...Array.from(splitByTime(dataset).test, (row) => dataset.day[row]!)));
const BEFORE_THE_DATA = "2000-01-01";
const pct = (m: number) => `${(m * 100).toFixed(1)} %`;

describe("evaluate step", () => {
  it("takes the candidate's score from the trainer, on the trainer's hold-out, when there is no production model", async () => {
    const { output, message } = await evaluateStep.run(context(), input(trained));
    const { candidate } = output.comparison;
    expect(output.comparison).toMatchObject({ production: null, productionModelId: null, better: true });
    expect(candidate).toEqual(trained.metrics);
    expect(candidate.n).toBe(splitByTime(dataset).test.length);
    expect(message).toBe(
      `candidate MAPE ${pct(candidate.mape)} (before the refit) on ${candidate.n.toLocaleString("en-US")} hold-out rows; no production model to compare with: better`,
    );
  });

  it("does not score the refit model on the rows it was refit on", async () => {
    const model = trainFairPriceModel(dataset, { sources: ["simulator seed=1"], trees: 5, refit: "all" });
    const refit = (await toModelVersion(model, dataset)).newVersion;
    expect((await evaluateStep.run(context(), input(refit))).output.comparison.candidate).toEqual(model.metrics);
    // An artifact that would score otherwise on these rows: its registered (pre-refit) score counts.
    const artifactPredicts = fixedRatioModelVersion(0.5);
    const recipeScored = constantRatioMetrics(0, artifactPredicts.interval);
    const { output } = await evaluateStep.run(context(), input({ ...artifactPredicts, metrics: recipeScored }));
    expect(output.comparison.candidate).toEqual(recipeScored);
    expect(output.comparison.candidate).not.toEqual(constantRatioMetrics(0.5, artifactPredicts.interval));
  });

  it("fails when the candidate's metrics are not of this dataset's hold-out", async () => {
    const other = { ...trained, metrics: { ...trained.metrics, n: trained.metrics.n + 1 } };
    const error = await evaluateStep.run(context(), input(other)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe(
      `the candidate was scored on ${trained.metrics.n + 1} hold-out rows, but this dataset's hold-out has ${trained.metrics.n}: it was not trained on this dataset's split`,
    );
  });

  it("returns both plots of the refit candidate as SVG documents, titled as such", async () => {
    const { output } = await evaluateStep.run(context(), input(trained));
    expect(output.plots.map((plot) => plot.name)).toEqual(["predicted-vs-actual.svg", "error-distribution.svg"]);
    for (const { svg } of output.plots) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).not.toContain("no data");
      expect(svg).toContain("refit model on hold-out dates (seen in training)");
    }
    const n = output.comparison.candidate.n.toLocaleString("en-US");
    expect(output.plots[0]!.svg.match(/<circle /g)).toHaveLength(output.comparison.candidate.n);
    expect(output.plots[1]!.svg).toContain(`n = ${n} · median`);
  });

  it("finds the candidate better than a worse production model scored on the same rows", async () => {
    const worse = trainedUpTo(fixedRatioModelVersion(0.5), BEFORE_THE_DATA);
    const production = await registry.register(worse, { stage: "PRODUCTION" });
    const { output, message } = await evaluateStep.run(context(), input(trained));
    const { candidate } = output.comparison;
    expect(output.comparison).toMatchObject({ productionModelId: production.id, better: true });
    expect(output.comparison.production).toEqual(constantRatioMetrics(0.5, worse.interval));
    expect(output.comparison.production!.mape).toBeGreaterThan(candidate.mape);
    // Production never saw the hold-out dates: no caveat.
    expect(message).toBe(
      `candidate MAPE ${pct(candidate.mape)} (before the refit) vs production ${pct(output.comparison.production!.mape)} on ${candidate.n.toLocaleString("en-US")} hold-out rows: better`,
    );
  });

  it("finds the candidate not better when production does better on the same rows, and says production saw them", async () => {
    // As a model refit on every row of this dataset by an earlier run would be.
    const lastDate = fromEpochDay(Math.max(...dataset.day));
    const production = await registry.register(trainedUpTo(trained, lastDate), { stage: "PRODUCTION" });
    const worse = fixedRatioCandidate(0.5);
    const { output, message } = await evaluateStep.run(context(), input(worse));
    expect(output.comparison).toMatchObject({ productionModelId: production.id, better: false });
    expect(output.comparison.candidate).toEqual(worse.metrics);
    expect(output.comparison.production!.mape).toBeLessThan(output.comparison.candidate.mape);
    expect(message).toBe(
      `candidate MAPE ${pct(worse.metrics.mape)} (before the refit) vs production ${pct(output.comparison.production!.mape)} on ${worse.metrics.n.toLocaleString("en-US")} hold-out rows: not better ` +
        `(production was trained on data up to ${lastDate}, which covers hold-out dates from ${firstTestDate()}, so it has seen some of these rows: the comparison favours production)`,
    );
  });

  it("notes production's training window only when it reaches the first hold-out date", async () => {
    const first = firstTestDate();
    const dayBefore = fromEpochDay(toEpochDay(first) - 1);
    await registry.register(trainedUpTo(fixedRatioModelVersion(0.5), dayBefore), { stage: "PRODUCTION" });
    expect((await evaluateStep.run(context(), input(trained))).message).not.toContain("favours production");
    await registry.register(trainedUpTo(fixedRatioModelVersion(0.5), first), { stage: "PRODUCTION" });
    expect((await evaluateStep.run(context(), input(trained))).message).toContain(
      `covers hold-out dates from ${first}, so it has seen some of these rows: the comparison favours production`,
    );
  });

  it("is not better when its score equals production's on the same rows: equal is not below", async () => {
    await registry.register(trainedUpTo(fixedRatioModelVersion(0.5), BEFORE_THE_DATA), { stage: "PRODUCTION" });
    const { output } = await evaluateStep.run(context(), input(fixedRatioCandidate(0.5)));
    expect(output.comparison.production).toEqual(output.comparison.candidate);
    expect(output.comparison.better).toBe(false);
  });

  it("cannot score a production model with other features, and says why", async () => {
    // Not even an ONNX graph: it must not be loaded at all.
    const production = await registry.register(newModelVersionFixture(2), { stage: "PRODUCTION" });
    const { output, message } = await evaluateStep.run(context(), input(trained));
    expect(output.comparison).toMatchObject({ production: null, productionModelId: production.id, better: true });
    expect(message).toMatch(
      new RegExp(
        `^candidate MAPE [\\d.]+ % \\(before the refit\\) on [\\d,]+ hold-out rows; production ${production.id} cannot be scored on these rows, its features differ \\(column 0: lag_1 vs \\w+\\): better$`,
      ),
    );
  });

  it("fails when the candidate's features are not the dataset's columns", async () => {
    const odd = { ...trained, features: [...trained.features].reverse() };
    const error = await evaluateStep.run(context(), input(odd)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^the candidate's features do not match the dataset's columns: column 0/);
  });

  it("hashes and caches its output: the same inputs give the same hash, and it survives serialization", async () => {
    const first = await evaluateStep.run(context(), input(trained));
    const second = await evaluateStep.run(context(), input(trained));
    expect(second.outputHash).toBe(first.outputHash);
    expect(evaluateStep.cacheable).toBe(true);
    const body = evaluateStep.serialize!(first.output);
    expect(first.outputHash).toBe(sha256Hex(body));
    expect(evaluateStep.deserialize!(body)).toEqual(first.output);
  });

  it("keys its cache on the production model as well, since the comparison depends on it", async () => {
    const none = await evaluateStep.cacheInput!(context());
    const production = await registry.register(fixedRatioModelVersion(0.5), { stage: "PRODUCTION" });
    const withProduction = await evaluateStep.cacheInput!(context());
    expect(withProduction).not.toBe(none);
    expect(withProduction).toContain(production.id);
  });
});
