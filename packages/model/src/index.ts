export type {
  ErrorMetrics,
  ModelMetrics,
  ModelStage,
  ModelVersion,
  NewModelVersion,
  PredictionInterval,
  TrainingSummary,
} from "./registry/model-version.js";
export * from "./registry/index.js";
export { catalogAttributes } from "./features/catalog-attributes.js";
export { rarityRank, setAgeDays, type CardAttributeLookup, type CardAttributes } from "./features/card-attributes.js";
export { toDailyGrid, type DailyGrid } from "./features/daily-grid.js";
export { fromEpochDay, toEpochDay } from "./features/epoch-day.js";
export { FEATURE_COUNT, FEATURE_NAMES, writeFeatureRow } from "./features/feature-set.js";
export { errorMetrics, intervalCoverage, quantile } from "./evaluation/error-metrics.js";
export { evaluatePriceFile, type EvaluatePriceFileOptions } from "./evaluation/evaluate-price-file.js";
export type { EvaluationReport } from "./evaluation/evaluation-report.js";
export { scoreFairPrices } from "./evaluation/score-fair-prices.js";
export { splitByTime, type SplitOptions, type TimeSplit } from "./evaluation/time-split.js";
export { checkOnnxParity, PARITY_TOLERANCE } from "./onnx/check-onnx-parity.js";
export { exportEnsembleToOnnx, ONNX_INPUT, ONNX_OUTPUT } from "./onnx/export-onnx.js";
export { createOnnxPredictor, type OnnxPredictor, type OnnxPredictorOptions } from "./onnx/onnx-predictor.js";
export { buildPriceDataset, HORIZON_DAYS, type PriceDataset } from "./training/price-dataset.js";
export { seriesFromPoints } from "./training/series-from-points.js";
export { toModelVersion } from "./training/to-model-version.js";
export {
  INTERVAL_COVERAGE,
  trainFairPriceModel,
  type FairPriceModel,
  type TrainFairPriceOptions,
} from "./training/train-fair-price-model.js";
export {
  DEFAULT_GBDT_PARAMS,
  trainGbdt,
  type GbdtParams,
  type GbdtResult,
  type TrainingSet,
} from "./training/train-gbdt.js";
export { predictEnsemble, type RegressionTree, type TreeEnsemble } from "./training/tree-ensemble.js";
export { loadPriceFile, type LoadedPriceFile } from "./evaluation/load-price-file.js";
export { selectRows, takeRows } from "./training/dataset-rows.js";
export {
  isModelInputError,
  MODEL_INPUT_ERROR_CODES,
  ModelInputError,
  type ModelInputErrorCode,
} from "./model-input-error.js";
