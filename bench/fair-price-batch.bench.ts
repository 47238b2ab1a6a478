import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, postGraphQL, timeSequential } from "./serving/load.js";
import { prepareServingData } from "./serving/serving-data.js";
import { startServingStack } from "./serving/serving-stack.js";

const BATCH = 1000;
const QUERY = `query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { fairPrice signal cached } }`;

/**
 * Issue 4: through the gateway, on PostgreSQL and Redis, 1,000 fair prices as one `fairPrices`
 * call (cold and warm cache) against the same 1,000 asked as 1,000 separate calls one after
 * another, side by side in one run.
 */
export async function fairPriceBatchBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_CARDS", 20_000);
  const days = intFromEnv("BENCH_DAYS", 60);
  const trees = intFromEnv("BENCH_TREES", 100);
  const coldBatches = Math.min(10, Math.floor(cards / BATCH) - 2);
  const data = await prepareServingData({ cards, days, trees });
  const stack = await startServingStack(data, { redis: true });
  try {
    const url = stack.gatewayUrl;
    const requestsOf = (block: number) =>
      data.cardIds.slice(block * BATCH, (block + 1) * BATCH).map((cardId) => ({ cardId, date: data.lastDay }));
    type Answer = { fairPrices: { cached: boolean }[] };
    const ask = async (requests: { cardId: string; date: string }[], expectCached: boolean) => {
      const answer = await postGraphQL<Answer>(url, stack.apiKey, QUERY, { r: requests });
      if (answer.fairPrices.some((p) => p.cached !== expectCached)) throw new Error(`expected cached=${expectCached}`);
    };
    // Cold: each call asks 1,000 cards no call asked before. Warm: the first block again.
    const cold = await timeSequential(coldBatches, (i) => ask(requestsOf(i), false));
    const warm = await timeSequential(30, () => ask(requestsOf(0), true));
    const separateWarm = await timeSequential(BATCH, (i) => ask([requestsOf(0)[i]!], true));
    const separateCold = await timeSequential(BATCH, (i) => ask([requestsOf(coldBatches)[i]!], false));
    const [c, w, sw, sc] = [latencies(cold), latencies(warm), latencies(separateWarm), latencies(separateCold)];
    const total = (samples: number[]) => samples.reduce((sum, v) => sum + v, 0);
    const ratioWarm = total(separateWarm) / w.p50;
    const ratioCold = total(separateCold) / c.p50;
    return {
      name: "fair-price-batch",
      command: `BENCH_CARDS=${cards} BENCH_DAYS=${days} BENCH_TREES=${trees} pnpm bench fair-price-batch`,
      settings: { cards, days, modelTrees: data.modelTrees, batch: BATCH, database: "postgres", cache: "redis" },
      rows: [
        { case: "fairPrices ×1000, cold cache", calls: c.n, p50Ms: round(c.p50), p99Ms: round(c.p99) },
        { case: "fairPrices ×1000, warm cache", calls: w.n, p50Ms: round(w.p50), p99Ms: round(w.p99) },
        {
          case: "1000 separate calls, cold cache",
          calls: sc.n,
          p50Ms: round(sc.p50, 2),
          p99Ms: round(sc.p99, 2),
          totalMs: round(total(separateCold)),
        },
        {
          case: "1000 separate calls, warm cache",
          calls: sw.n,
          p50Ms: round(sw.p50, 2),
          p99Ms: round(sw.p99, 2),
          totalMs: round(total(separateWarm)),
        },
      ],
      targets: [
        {
          target: "1,000 prices ≥ 50× faster as one batch than as 1,000 calls (warm cache)",
          measured: `${round(ratioWarm)}×`,
          met: ratioWarm >= 50,
        },
        {
          target: "the same, cold cache",
          measured: `${round(ratioCold)}×`,
          met: ratioCold >= 50,
        },
      ],
    };
  } finally {
    await stack.close();
    await data.close();
  }
}
