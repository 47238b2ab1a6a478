import { listen, signIdentity } from "@pokewatch/kit";
import { TEST_REDIS_URL, TEST_SECRET, silentLogger, testIdentity } from "@pokewatch/kit/testing";
import { createPricingApp } from "@pokewatch/pricing";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, timeSequential } from "./serving/load.js";
import { prepareServingData } from "./serving/serving-data.js";

const QUERY = `query ($id: ID!, $d: Date) { card(id: $id) { fairPrice(date: $d) { fairPrice cached } } }`;

/**
 * Issue 4: one fair price at the pricing subgraph (signed as the gateway signs), answered from
 * Redis, from the in-process LRU, and computed (a miss: one history read and one ONNX run).
 */
export async function fairPriceCacheBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_CARDS", 20_000);
  const days = intFromEnv("BENCH_DAYS", 60);
  const samples = Math.min(intFromEnv("BENCH_SAMPLES", 2000), Math.floor(cards / 3));
  const data = await prepareServingData({ cards, days, trees: intFromEnv("BENCH_TREES", 100) });
  const common = {
    secret: TEST_SECRET,
    logger: silentLogger(),
    db: data.db,
    catalog: data.catalog,
  };
  const redisApp = await createPricingApp({ ...common, redisUrl: TEST_REDIS_URL, settings: { modelPollSeconds: 0 } });
  const memoryApp = await createPricingApp({ ...common, settings: { modelPollSeconds: 0 } });
  const servers = [
    await listen(redisApp, { host: "127.0.0.1", port: 0 }),
    await listen(memoryApp, { host: "127.0.0.1", port: 0 }),
  ];
  try {
    const ask = async (url: string, id: string, expectCached: boolean) => {
      const body = JSON.stringify({ query: QUERY, variables: { id, d: data.lastDay } });
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signIdentity(testIdentity(), TEST_SECRET, { audience: "pricing", method: "POST", path: "/graphql", body }),
        },
        body,
      });
      const answer = (await response.json()) as { data?: { card: { fairPrice: { cached: boolean } } } };
      if (answer.data?.card.fairPrice.cached !== expectCached) throw new Error(`expected cached=${expectCached}`);
    };
    const [redisUrl, memoryUrl] = servers.map((server) => `${server.url}/graphql`) as [string, string];
    // Misses on each app fill its cache with those cards; the hits ask them again. A warm-up on
    // other cards first, so neither app's first measured calls pay for JIT compilation.
    const redisCards = data.cardIds.slice(0, samples);
    const memoryCards = data.cardIds.slice(samples, 2 * samples);
    const warmUp = data.cardIds.slice(2 * samples, 2 * samples + 200);
    for (const url of [redisUrl, memoryUrl]) {
      for (const cached of [false, true]) await timeSequential(warmUp.length, (i) => ask(url, warmUp[i]!, cached));
    }
    const missRedis = await timeSequential(samples, (i) => ask(redisUrl, redisCards[i]!, false));
    const missMemory = await timeSequential(samples, (i) => ask(memoryUrl, memoryCards[i]!, false));
    const hitRedis = await timeSequential(samples, (i) => ask(redisUrl, redisCards[i]!, true));
    const hitMemory = await timeSequential(samples, (i) => ask(memoryUrl, memoryCards[i]!, true));
    const row = (name: string, values: number[]) => {
      const l = latencies(values);
      return { case: name, requests: l.n, p50Ms: round(l.p50, 2), p99Ms: round(l.p99, 2) };
    };
    return {
      name: "fair-price-cache",
      command: `BENCH_CARDS=${cards} BENCH_SAMPLES=${samples} pnpm bench fair-price-cache`,
      settings: { cards, days, samples, database: "postgres", at: "pricing subgraph, one client, one card per call" },
      rows: [
        row("Redis hit", hitRedis),
        row("in-process LRU hit", hitMemory),
        row("miss (Redis app): read + ONNX + Redis write", missRedis),
        row("miss (LRU app): read + ONNX", missMemory),
      ],
      targets: [],
    };
  } finally {
    for (const server of servers) await server.close();
    await data.close();
  }
}
