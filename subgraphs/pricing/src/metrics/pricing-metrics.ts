import { Counter, Histogram, Registry } from "prom-client";

/**
 * The pricing subgraph's Prometheus instruments, on a registry of its own so two apps in one
 * process (the stack, the tests) never share counts. `/metrics` on the subgraph serves it.
 */
export interface PricingMetrics {
  registry: Registry;
  /** Fair prices answered from the cache, by cache kind (`redis` | `memory`). */
  cacheHits: Counter<"cache">;
  /** Fair prices the cache did not hold (or could not be asked for). */
  cacheMisses: Counter<"cache">;
  /** Cache operations that failed (Redis down, timeout); the request is served uncached. */
  cacheErrors: Counter<"cache" | "operation">;
  /** Feature rows per ONNX run, after the micro-batcher merged requests. */
  onnxBatchRows: Histogram;
  /** Wall time of one ONNX run. */
  onnxSeconds: Histogram;
  /** Production model swaps, and loads that failed. */
  modelSwaps: Counter<"outcome">;
  /** Deals rankings made ready: `computed` here, `shared` (read from the store), or `failed`. */
  dealsRankings: Counter<"outcome">;
  /** Wall time of one deals ranking computation (the whole catalog priced, in chunks). */
  dealsRankingSeconds: Histogram;
}

export function createPricingMetrics(): PricingMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    cacheHits: new Counter({
      name: "pokewatch_fair_price_cache_hits_total",
      help: "Fair prices answered from the cache.",
      labelNames: ["cache"],
      registers,
    }),
    cacheMisses: new Counter({
      name: "pokewatch_fair_price_cache_misses_total",
      help: "Fair prices not found in the cache (computed by the model).",
      labelNames: ["cache"],
      registers,
    }),
    cacheErrors: new Counter({
      name: "pokewatch_fair_price_cache_errors_total",
      help: "Cache operations that failed; the prices were served uncached.",
      labelNames: ["cache", "operation"],
      registers,
    }),
    onnxBatchRows: new Histogram({
      name: "pokewatch_onnx_batch_rows",
      help: "Feature rows per ONNX run after micro-batching.",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
      registers,
    }),
    onnxSeconds: new Histogram({
      name: "pokewatch_onnx_inference_seconds",
      help: "Duration of one ONNX run.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    modelSwaps: new Counter({
      name: "pokewatch_model_swaps_total",
      help: "Production model loads: swapped in, or failed (the previous model keeps serving).",
      labelNames: ["outcome"],
      registers,
    }),
    dealsRankings: new Counter({
      name: "pokewatch_deals_rankings_total",
      help: "Deals rankings made ready: computed here, shared (read from the store), or failed.",
      labelNames: ["outcome"],
      registers,
    }),
    dealsRankingSeconds: new Histogram({
      name: "pokewatch_deals_ranking_seconds",
      help: "Duration of one deals ranking computation (the whole catalog priced).",
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120],
      registers,
    }),
  };
}
