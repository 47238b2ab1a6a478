import type { ModelMetrics, ModelStage, ModelVersion, PredictionInterval, TrainingSummary } from "./model-version.js";

/** A `model_versions` row as both drivers return it: jsonb parsed, text[] as an array, bigint as a number. */
export interface ModelVersionRow {
  id: string;
  version: number;
  stage: ModelStage;
  created_at: Date;
  artifact_sha256: string;
  artifact_bytes: number;
  features: string[];
  training_summary: TrainingSummary;
  metrics: ModelMetrics;
  prediction_interval: PredictionInterval;
}

export const MODEL_VERSION_COLUMNS =
  "id, version, stage, created_at, artifact_sha256, artifact_bytes, features, training_summary, metrics, prediction_interval";

export function toModelVersion(row: ModelVersionRow): ModelVersion {
  return {
    id: row.id,
    version: row.version,
    stage: row.stage,
    createdAt: row.created_at,
    artifactSha256: row.artifact_sha256,
    artifactBytes: row.artifact_bytes,
    features: row.features,
    trainingSummary: row.training_summary,
    metrics: row.metrics,
    interval: row.prediction_interval,
  };
}
