export type ModelStage = "PRODUCTION" | "STAGING" | "ARCHIVED";

/** Errors of one predictor on a hold-out set. */
export interface ErrorMetrics {
  /** Mean absolute percentage error, as a fraction (0.023 = 2.3 %). */
  mape: number;
  rmse: number;
  mae: number;
}

/** How a model scored on its time-based hold-out, beside the two baselines. */
export interface ModelMetrics extends ErrorMetrics {
  /** Hold-out rows scored. */
  n: number;
  /** Share of hold-out outcomes inside the model's 80 % prediction interval. */
  intervalCoverage: number;
  baselines: {
    /** Fair price = the last known market price. */
    lastPrice: ErrorMetrics;
    /** Fair price = mean of the last 3 observations (the old Python service). */
    rollingMean3: ErrorMetrics;
  };
}

/** What the model was trained on, for the record and for drift checks. */
export interface TrainingSummary {
  cards: number;
  rows: number;
  /** First and last feature dates used for training, `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** Where the prices came from (file names, `simulator seed=…`, `price store`). */
  sources: string[];
  trainingMs: number;
  /** Free-form trainer settings (trees, depth, learning rate, …). */
  params: Record<string, number | string>;
}

/**
 * What serving needs besides the ONNX graph: the prediction interval as log-ratio offsets from the
 * point estimate, taken from hold-out residual quantiles.
 */
export interface PredictionInterval {
  /** Nominal coverage, e.g. 0.8. */
  coverage: number;
  lowLogRatio: number;
  highLogRatio: number;
}

/** Everything a new version is registered with. */
export interface NewModelVersion {
  /** The ONNX model bytes. */
  artifact: Uint8Array;
  /** Ordered feature names: column i of the ONNX input is features[i]. */
  features: string[];
  trainingSummary: TrainingSummary;
  metrics: ModelMetrics;
  interval: PredictionInterval;
}

/** A registered version as read back from the registry. */
export interface ModelVersion {
  /** `mv_…` */
  id: string;
  /** 1, 2, 3… in registration order. */
  version: number;
  stage: ModelStage;
  createdAt: Date;
  /** sha256 of the ONNX bytes; the artifact's file name in the artifact directory. */
  artifactSha256: string;
  artifactBytes: number;
  features: string[];
  trainingSummary: TrainingSummary;
  metrics: ModelMetrics;
  interval: PredictionInterval;
}
