import { describe, expect, it } from "vitest";
import { FEATURE_COUNT } from "../features/feature-set.js";
import { syntheticSeries } from "../testing/synthetic-series.js";
import { buildPriceDataset } from "../training/price-dataset.js";
import { DEFAULT_GBDT_PARAMS, trainGbdt } from "../training/train-gbdt.js";
import { predictEnsemble } from "../training/tree-ensemble.js";
import { checkOnnxParity, PARITY_TOLERANCE } from "./check-onnx-parity.js";
import { exportEnsembleToOnnx } from "./export-onnx.js";
import { createOnnxPredictor } from "./onnx-predictor.js";

describe("ONNX export", () => {
  const train = buildPriceDataset(syntheticSeries(60, 150, 11), () => undefined);
  const test = buildPriceDataset(syntheticSeries(40, 100, 12), () => undefined);
  const { ensemble } = trainGbdt(
    { ...train, featureCount: FEATURE_COUNT },
    { ...DEFAULT_GBDT_PARAMS, trees: 60, objective: "l2", minRowsPerLeaf: 20 },
  );

  it("predicts in onnxruntime-node what the TypeScript trees predict, within 1e-4, on a test set", async () => {
    expect(ensemble.trees.length).toBe(60);
    const predictor = await createOnnxPredictor(exportEnsembleToOnnx(ensemble), ensemble.featureCount);
    const fromOnnx = await predictor.predict(test.features, test.rows);
    const fromTrees = predictEnsemble(ensemble, test.features, test.rows);
    expect(fromOnnx).toHaveLength(test.rows);
    let largest = 0;
    for (let row = 0; row < test.rows; row++) largest = Math.max(largest, Math.abs(fromOnnx[row]! - fromTrees[row]!));
    expect(largest).toBeLessThan(PARITY_TOLERANCE);
    // The trees do predict something: not a constant.
    expect(new Set(fromTrees).size).toBeGreaterThan(50);
    await predictor.close();
  });

  it("exports a constant model (no tree beat the base) as a valid graph", async () => {
    const constant = { featureCount: ensemble.featureCount, baseValue: Math.fround(0.25), trees: [] };
    const predictor = await createOnnxPredictor(exportEnsembleToOnnx(constant), constant.featureCount);
    expect(Array.from(await predictor.predict(test.features, 3))).toEqual([0.25, 0.25, 0.25]);
    await predictor.close();
  });

  it("refuses to pass parity for a model that is not the trees", async () => {
    const other = { ...ensemble, baseValue: ensemble.baseValue + 0.01 };
    await expect(checkOnnxParity(ensemble, exportEnsembleToOnnx(other), test.features, 100)).rejects.toThrow(/differs/);
  });

  it("rejects an ONNX model without PokeWatch's input and output names", async () => {
    const bytes = exportEnsembleToOnnx(ensemble);
    const renamed = Buffer.from(bytes)
      .toString("latin1")
      .replaceAll("log_ratio", "something")
      .replaceAll("something", "other_out");
    await expect(createOnnxPredictor(Buffer.from(renamed, "latin1"), ensemble.featureCount)).rejects.toThrow();
  });
});
