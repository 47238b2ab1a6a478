import { describe, expect, it } from "vitest";
import { DEFAULT_GBDT_PARAMS, trainGbdt, type TrainingSet } from "./train-gbdt.js";
import { predictEnsemble } from "./tree-ensemble.js";

/** y = step(x0) + 2·x1 with x2 as pure noise: trees must find the step and approximate the slope. */
function syntheticSet(rows: number, seed: number): TrainingSet {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 0x1_0000_0000;
  const features = new Float32Array(rows * 3);
  const target = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const [x0, x1, x2] = [random(), random(), random()];
    features.set([x0, x1, x2], row * 3);
    target[row] = (x0 > 0.3 ? 0.5 : -0.2) + 2 * Math.fround(x1) + (random() - 0.5) * 0.01;
  }
  return { rows, featureCount: 3, features, target };
}

const meanAbsoluteError = (set: TrainingSet, predicted: Float64Array) =>
  set.target.reduce((sum, y, i) => sum + Math.abs(y - predicted[i]!), 0) / set.rows;

describe("trainGbdt", () => {
  const train = syntheticSet(5_000, 1);
  const test = syntheticSet(2_000, 2);

  it.each(["l1", "l2"] as const)("learns a step and a slope with the %s objective", (objective) => {
    const { ensemble } = trainGbdt(train, { ...DEFAULT_GBDT_PARAMS, objective, trees: 200, learningRate: 0.1 });
    const error = meanAbsoluteError(test, predictEnsemble(ensemble, test.features, test.rows));
    // A constant predictor is off by about 0.6 on average here.
    expect(error).toBeLessThan(0.05);
  });

  it("keeps the trees with the best validation loss and stops early", () => {
    // Validation targets that share only the step with training: the slope stops helping early.
    const shifted = { ...test, target: test.target.map((y, i) => y - 2 * test.features[i * 3 + 1]! + 1) };
    const result = trainGbdt(
      train,
      { ...DEFAULT_GBDT_PARAMS, trees: 400, learningRate: 0.3, earlyStoppingRounds: 10 },
      {
        validation: shifted,
      },
    );
    expect(result.bestIteration).toBeGreaterThan(0);
    expect(result.validationLoss.length).toBeLessThan(400);
    expect(result.ensemble.trees).toHaveLength(result.bestIteration);
    expect(result.validationLoss[result.bestIteration - 1]).toBe(Math.min(...result.validationLoss));
  });

  it("keeps no tree when none beats the constant on validation", () => {
    const noise = { ...test, target: test.target.map((_, i) => ((i * 7919) % 101) / 101) };
    const result = trainGbdt(
      train,
      { ...DEFAULT_GBDT_PARAMS, trees: 50, earlyStoppingRounds: 10 },
      { validation: noise },
    );
    expect(result.bestIteration).toBe(0);
    expect(result.ensemble.trees).toEqual([]);
  });

  it("is deterministic for a seed", () => {
    const params = { ...DEFAULT_GBDT_PARAMS, trees: 20 };
    expect(trainGbdt(train, params).ensemble).toEqual(trainGbdt(train, params).ensemble);
  });

  it("stores float32 thresholds and leaf values, as ONNX will read them", () => {
    const { ensemble } = trainGbdt(train, { ...DEFAULT_GBDT_PARAMS, trees: 5 });
    for (const tree of ensemble.trees) {
      for (const value of [...tree.threshold, ...tree.value]) expect(Math.fround(value)).toBe(value);
    }
  });

  it("refuses an empty training set", () => {
    expect(() => trainGbdt({ ...train, rows: 0 }, DEFAULT_GBDT_PARAMS)).toThrow(/empty/);
  });

  it("subsamples a set above maxTrainingRows once, deterministically, and still learns", () => {
    const params = {
      ...DEFAULT_GBDT_PARAMS,
      trees: 100,
      learningRate: 0.1,
      minRowsPerLeaf: 20,
      maxTrainingRows: 1_500,
    };
    const first = trainGbdt(train, params);
    expect(trainGbdt(train, params).ensemble).toEqual(first.ensemble);
    expect(first.ensemble).not.toEqual(trainGbdt(train, { ...params, maxTrainingRows: 5_000 }).ensemble);
    expect(meanAbsoluteError(test, predictEnsemble(first.ensemble, test.features, test.rows))).toBeLessThan(0.1);
  });
});
