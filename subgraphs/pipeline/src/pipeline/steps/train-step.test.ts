import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import {
  createCatalog,
  createPriceStore,
  loadBundledCatalog,
  marketMigrations,
  simulatedCatalogData,
} from "@pokewatch/market";
import { FEATURE_NAMES, buildPriceDataset, catalogAttributes, createModelRegistry } from "@pokewatch/model";
import { syntheticSeries } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_SRC_URL } from "./content-hash.js";
import { featuresStep, type FeaturesOutput } from "./features-step.js";
import { collectStep } from "./collect-step.js";
import { ingestStep } from "./ingest-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, StepStop, type StepContext } from "./step.js";
import {
  computeTrainOutput,
  deserializeTrainOutput,
  serializeTrainOutput,
  trainOutputHash,
  trainStep,
  trainingCodeVersion,
  type TrainOutput,
} from "./train-step.js";
import { validateStep } from "./validate-step.js";

let db: Database;
let dataDir: string;
let ctx: StepContext;
const messages: string[] = [];
let features: FeaturesOutput;

// The first five steps on 30 simulated cards × 90 days, as a run would chain them.
beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "market", marketMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "train-step-"));
  ctx = {
    db,
    prices: createPriceStore(db),
    registry: createModelRegistry({ db }),
    catalog: createCatalog(simulatedCatalogData(30, loadBundledCatalog())),
    logger: silentLogger(),
    dataDir,
    clock: () => new Date("2026-11-28T05:30:00Z"),
    options: { ...DEFAULT_PIPELINE_OPTIONS, simulateDays: 90, trees: 5 },
    runId: "run_test",
    progress: (message) => messages.push(message),
  };
  await collectStep.run(ctx);
  const ingested = await ingestStep.run(ctx);
  const validated = await validateStep.run(ctx, ingested.output);
  features = (await featuresStep.run(ctx, validated.output)).output;
  messages.length = 0;
});
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("train step", () => {
  let trained: Awaited<ReturnType<typeof trainStep.run>>;
  beforeAll(async () => {
    trained = await trainStep.run(ctx, features);
  });

  it("trains in its worker thread exactly what the same code trains in this one: model bytes, metrics, hash", async () => {
    const here = await computeTrainOutput(features.dataset, features.sources, 5, () => undefined);
    expect(Buffer.compare(trained.output.newVersion.artifact, here.output.newVersion.artifact)).toBe(0);
    expect(trained.output.newVersion.metrics).toEqual(here.output.newVersion.metrics);
    expect(trained.outputHash).toBe(here.outputHash);
    expect(trained.body).toEqual(serializeTrainOutput(trained.output));
  });

  it("trains the requested trees on every row, checks the ONNX export and packs the version", () => {
    const { newVersion, onnxMaxAbsDiff, trees } = trained.output;
    expect(trees).toBe(5);
    expect(newVersion.artifact.byteLength).toBeGreaterThan(0);
    expect(newVersion.features).toEqual([...FEATURE_NAMES]);
    expect(newVersion.trainingSummary).toMatchObject({
      cards: 30,
      rows: features.dataset.rows,
      sources: ["simulator"],
      to: "2026-11-20",
      params: { trees: 5, refit: "all" },
    });
    expect(newVersion.metrics.n).toBeGreaterThan(0);
    expect(onnxMaxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(trained.message).toMatch(
      /^5 trees on 2,490 rows of 30 cards: hold-out MAPE \d+\.\d % \(last price \d+\.\d %, mean of last 3 \d+\.\d %\); ONNX max diff \d\.\de[+-]\d+$/,
    );
  });

  it("reports progress for each stage", () => {
    // Calibration may stop early (no better on its hold-out), before its last tree is announced.
    expect(messages[0]).toBe("calibrate: 1/5 trees");
    expect(messages.slice(-5)).toEqual([
      "fit: 1/5 trees",
      "fit: 5/5 trees",
      "refit: 1/5 trees",
      "refit: 5/5 trees",
      "exporting to ONNX and checking it against the trees",
    ]);
  });

  it("gives the same output hash for the same features (training time aside)", async () => {
    const again = await trainStep.run(ctx, features);
    expect(again.outputHash).toBe(trained.outputHash);
    expect(Buffer.from(again.output.newVersion.artifact).equals(Buffer.from(trained.output.newVersion.artifact))).toBe(
      true,
    );
  });

  it("survives serialize and deserialize unchanged", () => {
    const body = trainStep.serialize!(trained.output);
    const back = trainStep.deserialize!(body);
    expect(back).toEqual(trained.output);
    expect(back.newVersion.artifact).toBeInstanceOf(Uint8Array);
    expect(trainOutputHash(back)).toBe(trained.outputHash);
  });
});

describe("train cache input", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });
  function modelSource(file?: string): URL {
    const copy = mkdtempSync(join(tmpdir(), "model-src-"));
    copies.push(copy);
    cpSync(fileURLToPath(MODEL_SRC_URL), copy, { recursive: true });
    if (file) appendFileSync(join(copy, file), "\n// changed\n");
    return pathToFileURL(`${copy}/`);
  }
  const withTrees = (trees: number | undefined) => ({ ...ctx, options: { ...ctx.options, trees } });

  it("changes with the trees asked for", async () => {
    const key = await trainStep.cacheInput!(withTrees(5));
    expect(await trainStep.cacheInput!(withTrees(5))).toBe(key);
    expect(await trainStep.cacheInput!(withTrees(9))).not.toBe(key);
    expect(await trainStep.cacheInput!(withTrees(undefined))).not.toBe(key);
    expect(key).toContain(trainingCodeVersion());
  });

  it("changes with the model package's training, feature, scoring or export code", () => {
    const version = trainingCodeVersion(modelSource());
    expect(version).toBe(trainingCodeVersion());
    for (const file of [
      "training/train-gbdt.ts",
      "features/feature-set.ts",
      "evaluation/error-metrics.ts",
      "onnx/export-onnx.ts",
    ]) {
      expect(trainingCodeVersion(modelSource(file)), file).not.toBe(version);
    }
  });
});

describe("train step failures", () => {
  it("stops the run (StepStop, from its worker thread) on too short a history for the split, with the model's message", async () => {
    const dataset = buildPriceDataset(syntheticSeries(5, 9), catalogAttributes(ctx.catalog));
    const error = await trainStep.run(ctx, { dataset, sources: ["test"] }).catch((e: unknown) => e);
    // The first weeks of collecting: a normal state, not a failure to alert on.
    expect(error).toBeInstanceOf(StepStop);
    expect(error).not.toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/time-based split/);
  });
});

describe("train output", () => {
  it("keeps numbers JSON cannot write and the artifact bytes", () => {
    const output: TrainOutput = {
      newVersion: {
        artifact: Uint8Array.from([0, 1, 2, 254, 255]),
        features: ["log_price"],
        trainingSummary: {
          cards: 1,
          rows: 2,
          from: "2026-01-01",
          to: "2026-01-02",
          sources: [],
          trainingMs: 3,
          params: {},
        },
        metrics: {
          n: 0,
          mape: Number.NaN,
          rmse: Number.POSITIVE_INFINITY,
          mae: -0,
          intervalCoverage: Number.NaN,
          baselines: { lastPrice: { mape: 1, rmse: 2, mae: 3 }, rollingMean3: { mape: 4, rmse: 5, mae: 6 } },
        },
        interval: { coverage: 0.8, lowLogRatio: -0.1, highLogRatio: 0.1 },
      },
      onnxMaxAbsDiff: 0,
      trees: 0,
    };
    const back = deserializeTrainOutput(serializeTrainOutput(output));
    // The artifact comes back as a Buffer (a Uint8Array), as `toModelVersion` makes it.
    expect(back).toEqual({
      ...output,
      newVersion: { ...output.newVersion, artifact: Buffer.from([0, 1, 2, 254, 255]) },
    });
    expect(Object.is(back.newVersion.metrics.mae, -0)).toBe(true);
    expect(() => deserializeTrainOutput(Buffer.from([2, 0, 0, 0, 123, 125]))).toThrow(/not a pokewatch\.model\/1/);
  });
});
