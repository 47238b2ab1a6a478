import { createRedis } from "@pokewatch/kit";
import { TEST_REDIS_URL, silentLogger } from "@pokewatch/kit/testing";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, postGraphQL, runClients, zipfSampler } from "./serving/load.js";
import { prepareServingData, type ServingData } from "./serving/serving-data.js";
import { histogramTotals, startServingStack } from "./serving/serving-stack.js";

const CLIENTS = 100;
const ZIPF_S = 1.1;
/** One stream of requests, reported in three consecutive slices as the cache fills. */
const PHASES = ["1st slice (empty cache)", "2nd slice", "3rd slice"];
const QUERY = `query ($id: ID!, $d: Date) { card(id: $id) { fairPrice(date: $d) { fairPrice signal cached } } }`;

/**
 * Issue 4: 100 concurrent clients each asking one card at a time, cards drawn by Zipf popularity,
 * through the gateway on PostgreSQL and Redis: throughput, p99, cache hit rate and the mean ONNX
 * batch, with the micro-batcher on and off, side by side on the same request sequence.
 */
export async function fairPriceZipfBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_CARDS", 20_000);
  const days = intFromEnv("BENCH_DAYS", 60);
  const trees = intFromEnv("BENCH_TREES", 100);
  const requests = intFromEnv("BENCH_REQUESTS", 20_000);
  const data = await prepareServingData({ cards, days, trees });
  try {
    const on = await runZipf(data, requests, 1);
    const off = await runZipf(data, requests, undefined);
    const rows = [
      ...on.map((phase) => ({ microBatcher: "on (1 ms)", ...phase })),
      ...off.map((phase) => ({ microBatcher: "off", ...phase })),
    ];
    const steady = on.at(-1)!;
    return {
      name: "fair-price-zipf",
      command: `BENCH_CARDS=${cards} BENCH_REQUESTS=${requests} pnpm bench fair-price-zipf`,
      settings: {
        cards,
        days,
        modelTrees: data.modelTrees,
        clients: CLIENTS,
        zipfS: ZIPF_S,
        requestsPerPhase: requests,
      },
      rows,
      targets: [
        {
          target: "cache hit rate ≥ 90 % (3rd slice, micro-batcher on)",
          measured: `${round(steady.hitRatePct)} %`,
          met: steady.hitRatePct >= 90,
        },
      ],
    };
  } finally {
    await data.close();
  }
}

/** One Zipf stream in three slices, on a fresh stack with an empty cache. */
async function runZipf(data: ServingData, requests: number, maxWaitMs: number | undefined) {
  await clearFairPriceCache();
  const stack = await startServingStack(data, { redis: true, maxWaitMs: maxWaitMs ?? "off" });
  try {
    const draw = zipfSampler(data.cardIds.length, ZIPF_S, 7);
    const phases = [];
    for (const phase of PHASES) {
      const before = await histogramTotals(stack.metricsUrl, "pokewatch_onnx_batch_rows");
      let hits = 0;
      const { samples, wallMs } = await runClients(CLIENTS, requests, async () => {
        const id = data.cardIds[draw()]!;
        const answer = await postGraphQL<{ card: { fairPrice: { cached: boolean } } }>(
          stack.gatewayUrl,
          stack.apiKey,
          QUERY,
          {
            id,
            d: data.lastDay,
          },
        );
        if (answer.card.fairPrice.cached) hits++;
      });
      const after = await histogramTotals(stack.metricsUrl, "pokewatch_onnx_batch_rows");
      const l = latencies(samples);
      const runs = after.count - before.count;
      phases.push({
        phase,
        requestsPerSec: round((requests / wallMs) * 1000),
        p50Ms: round(l.p50, 2),
        p99Ms: round(l.p99, 2),
        hitRatePct: round((hits / requests) * 100),
        onnxRuns: runs,
        meanOnnxBatch: runs > 0 ? round((after.sum - before.sum) / runs, 2) : 0,
      });
      process.stderr.write(`  micro-batcher ${maxWaitMs ?? "off"}, ${phase}: ${JSON.stringify(phases.at(-1))}\n`);
    }
    return phases;
  } finally {
    await stack.close();
  }
}

async function clearFairPriceCache(): Promise<void> {
  const redis = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", "pokewatch:fair-price*", "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
