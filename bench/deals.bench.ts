import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, postGraphQL, runClients, timeSequential } from "./serving/load.js";
import { prepareServingData } from "./serving/serving-data.js";
import { histogramTotals, startServingStack, type ServingStack } from "./serving/serving-stack.js";

const DEALS = `query ($s: Signal, $l: Int, $set: ID) {
  deals(signal: $s, limit: $l, setId: $set) { card { id name } date marketPrice fairPrice deviationPct signal cached }
}`;
const MARKET = `query ($id: ID!) { card(id: $id) { marketPrice { market } } }`;
const WARM_CALLS = 200;
const CONCURRENT_CLIENTS = 6;

type Args = { s: string; l: number; set?: string };
type Answer = { data?: { deals: unknown[] }; errors?: { message: string; extensions?: { code?: string } }[] };

/**
 * Issue 14: `deals` at 20,000 cards through the gateway on PostgreSQL and Redis. Cold: six
 * concurrent first calls on a fresh model (each retrying on SERVICE_UNAVAILABLE) until they answer,
 * the ranking computations that took, and another key's `card { marketPrice }` latency meanwhile.
 * Warm: 200 calls one after another, then six clients at once.
 */
export async function dealsBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_CARDS", 20_000);
  const days = intFromEnv("BENCH_DAYS", 60);
  const trees = intFromEnv("BENCH_TREES", 100);
  const data = await prepareServingData({ cards, days, trees });
  const stack = await startServingStack(data, { redis: true });
  try {
    const sets = data.catalog.sets().map((set) => set.id);
    const variants: Args[] = [
      { s: "BUY", l: 20 },
      { s: "SELL", l: 20 },
      { s: "HOLD", l: 20 },
      { s: "BUY", l: 100 },
      { s: "BUY", l: 20, set: sets[0]! },
      { s: "SELL", l: 100, set: sets[1] ?? sets[0]! },
    ];

    const cold = await coldStart(stack, data.cardIds);
    const ranking = await histogramTotals(stack.metricsUrl, "pokewatch_deals_ranking_seconds");
    const ask = (args: Args) => postGraphQL<{ deals: unknown[] }>(stack.gatewayUrl, stack.apiKey, DEALS, args);
    const warm = latencies(await timeSequential(WARM_CALLS, (i) => ask(variants[i % variants.length]!).then(() => {})));
    const together = await runClients(CONCURRENT_CLIENTS, WARM_CALLS * 3, (i) =>
      ask(variants[i % variants.length]!).then(() => {}),
    );
    const concurrent = latencies(together.samples);
    const after = await histogramTotals(stack.metricsUrl, "pokewatch_deals_ranking_seconds");
    const market = latencies(cold.marketSamples);

    return {
      name: "deals",
      command: `BENCH_CARDS=${cards} BENCH_DAYS=${days} BENCH_TREES=${trees} pnpm bench deals`,
      settings: { cards, days, modelTrees: data.modelTrees, database: "postgres", cache: "redis" },
      rows: [
        {
          case: `cold: ${CONCURRENT_CLIENTS} concurrent first calls until answered`,
          calls: cold.attempts,
          unavailable: cold.unavailable,
          firstAnswerMs: round(cold.firstAnswerMs),
          lastAnswerMs: round(cold.lastAnswerMs),
        },
        {
          case: "cold: ranking computations (whole catalog priced)",
          calls: ranking.count,
          totalMs: round(ranking.sum * 1000),
        },
        {
          case: "cold: another key's card{marketPrice} meanwhile",
          calls: market.n,
          p50Ms: round(market.p50, 2),
          p99Ms: round(market.p99, 2),
          maxMs: round(Math.max(...cold.marketSamples), 1),
        },
        { case: "warm: deals one after another", calls: warm.n, p50Ms: round(warm.p50, 2), p99Ms: round(warm.p99, 2) },
        {
          case: `warm: deals, ${CONCURRENT_CLIENTS} clients at once`,
          calls: concurrent.n,
          p50Ms: round(concurrent.p50, 2),
          p99Ms: round(concurrent.p99, 2),
        },
      ],
      targets: [
        { target: "warm deals p99 < 50 ms at 20,000 cards", measured: `${round(warm.p99, 2)} ms`, met: warm.p99 < 50 },
        {
          target: "one ranking computation for all the calls",
          measured: `${after.count}`,
          met: after.count === 1,
        },
      ],
    };
  } finally {
    await stack.close();
    await data.close();
  }
}

/** Six first calls at once, each retrying every 250 ms on SERVICE_UNAVAILABLE, with a market-price probe beside them. */
async function coldStart(stack: ServingStack, cardIds: string[]) {
  const started = performance.now();
  let attempts = 0;
  let unavailable = 0;
  const answeredAt: number[] = [];
  const call = async (args: Args) => {
    for (;;) {
      attempts++;
      const response = await fetch(stack.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": stack.apiKey },
        body: JSON.stringify({ query: DEALS, variables: args }),
      });
      const body = (await response.json()) as Answer;
      if (body.data?.deals && !body.errors) return answeredAt.push(performance.now() - started);
      const code = body.errors?.[0]?.extensions?.code;
      if (code !== "SERVICE_UNAVAILABLE") throw new Error(`deals answered ${response.status}: ${JSON.stringify(body)}`);
      unavailable++;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  let done = false;
  const marketSamples: number[] = [];
  const probe = (async () => {
    for (let i = 0; !done; i++) {
      const t0 = performance.now();
      await postGraphQL(stack.gatewayUrl, stack.apiKey, MARKET, { id: cardIds[(i * 7919) % cardIds.length] });
      marketSamples.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const signals = ["BUY", "SELL", "HOLD", "BUY", "SELL", "BUY"];
  await Promise.all(signals.map((s) => call({ s, l: 20 })));
  done = true;
  await probe;
  return {
    attempts,
    unavailable,
    firstAnswerMs: Math.min(...answeredAt),
    lastAnswerMs: Math.max(...answeredAt),
    marketSamples,
  };
}
