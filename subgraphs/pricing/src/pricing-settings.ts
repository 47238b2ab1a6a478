import { DEFAULT_SIGNAL_THRESHOLDS, type SignalThresholds } from "./fair-prices/signal.js";
import type { PricingEnv } from "./env.js";

/** How the pricing subgraph serves fair prices; every field comes from the environment. */
export interface PricingSettings {
  thresholds: SignalThresholds;
  cacheTtlSeconds: number;
  /** Bound of the in-process cache (without REDIS_URL). */
  cacheEntries: number;
  /**
   * Micro-batcher: longest wait to merge concurrent predictions (≤ 2 ms), and the largest run.
   * Undefined turns merging off (each request its own run): benchmarks only.
   */
  onnxMaxWaitMs: number | undefined;
  onnxMaxBatchRows: number;
  /** 0 = never poll (Redis events only). */
  modelPollSeconds: number;
}

export const DEFAULT_PRICING_SETTINGS: PricingSettings = {
  thresholds: DEFAULT_SIGNAL_THRESHOLDS,
  cacheTtlSeconds: 3600,
  cacheEntries: 200_000,
  onnxMaxWaitMs: 1,
  onnxMaxBatchRows: 4096,
  modelPollSeconds: 30,
};

type PricingSettingsEnv = Pick<
  PricingEnv,
  | "BUY_THRESHOLD_PCT"
  | "SELL_THRESHOLD_PCT"
  | "CACHE_TTL_SECONDS"
  | "FAIR_PRICE_CACHE_ENTRIES"
  | "ONNX_MAX_WAIT_MS"
  | "ONNX_MAX_BATCH_ROWS"
  | "MODEL_POLL_SECONDS"
>;

export function pricingSettingsFromEnv(env: PricingSettingsEnv): PricingSettings {
  return {
    thresholds: { buyPct: env.BUY_THRESHOLD_PCT, sellPct: env.SELL_THRESHOLD_PCT },
    cacheTtlSeconds: env.CACHE_TTL_SECONDS,
    cacheEntries: env.FAIR_PRICE_CACHE_ENTRIES,
    onnxMaxWaitMs: env.ONNX_MAX_WAIT_MS,
    onnxMaxBatchRows: env.ONNX_MAX_BATCH_ROWS,
    modelPollSeconds: env.MODEL_POLL_SECONDS,
  };
}
