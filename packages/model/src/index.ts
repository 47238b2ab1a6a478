export type {
  ErrorMetrics,
  ModelMetrics,
  ModelStage,
  ModelVersion,
  NewModelVersion,
  PredictionInterval,
  TrainingSummary,
} from "./registry/model-version.js";
