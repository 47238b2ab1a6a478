import type { ModelMetrics } from "../registry/model-version.js";

/** What `pnpm model:evaluate` prints: the metrics first, then how they were obtained. */
export interface EvaluationReport extends ModelMetrics {
  /** The model scored: `trained here` or a registered `mv_…` id. */
  model: string;
  /**
   * False when a registered model was trained on targets that reach into the test dates: the
   * score is then in-sample, not a hold-out score.
   */
  holdOut: boolean;
  split: { trainFrom: string; trainTo: string; testFrom: string; testTo: string; testRows: number };
  horizonDays: number;
  /** Relative MAPE gain over each baseline: 0.1 = 10 % lower MAPE. */
  improvement: { lastPrice: number; rollingMean3: number };
  cards: number;
  rejectedRows: number;
}

export function improvementOver(metrics: ModelMetrics): EvaluationReport["improvement"] {
  const gain = (baseline: number) => (baseline - metrics.mape) / baseline;
  return {
    lastPrice: gain(metrics.baselines.lastPrice.mape),
    rollingMean3: gain(metrics.baselines.rollingMean3.mape),
  };
}
