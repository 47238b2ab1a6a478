import type { NewModelVersion } from "./model-version.js";

/** A complete, valid new version for tests; `seed` makes the artifact (and its sha256) distinct. */
export function newModelVersionFixture(seed = 1, overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    artifact: new TextEncoder().encode(`onnx graph #${seed}`),
    features: ["lag_1", "lag_7", "rolling_mean_7", "volatility_14", "rarity_rank", "set_age_days"],
    trainingSummary: {
      cards: 3384,
      rows: 98_136,
      from: "2025-01-01",
      to: "2025-11-30",
      sources: ["simulator seed=42", "prices/daily.csv"],
      trainingMs: 4821.5,
      params: { trees: 200, depth: 6, learningRate: 0.05, objective: "l2" },
    },
    metrics: {
      n: 6768,
      mape: 0.0412 + seed / 1000,
      rmse: 1.9375,
      mae: 0.8125,
      intervalCoverage: 0.81,
      baselines: {
        lastPrice: { mape: 0.0525, rmse: 2.25, mae: 1.0 },
        rollingMean3: { mape: 0.0498, rmse: 2.125, mae: 0.96875 },
      },
    },
    interval: { coverage: 0.8, lowLogRatio: -0.1053605156578263, highLogRatio: 0.09531017980432493 },
    ...overrides,
  };
}
