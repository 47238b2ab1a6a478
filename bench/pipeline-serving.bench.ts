import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createDatabase, generateApiKeySecret, parseEnv } from "@pokewatch/kit";
import { createPriceStore, formatIsoDay, parseIsoDay, type PricePoint } from "@pokewatch/market";
import { startStack, stackEnvSchema } from "@pokewatch/stack";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies } from "./serving/load.js";

const ADMIN_KEY = process.env.PIPELINE_SERVING_ADMIN_KEY ?? generateApiKeySecret();
const FAIR_PRICE = `query ($id: ID!, $d: Date) { card(id: $id) { fairPrice(date: $d) { fairPrice cached } } }`;

/**
 * Issue 14 (6): the daily run must not freeze serving. The one-process stack (`pnpm start`) on
 * its embedded defaults (PGlite, in-process cache, bundled catalog) runs in a child process; this
 * process asks one cached `card { fairPrice }` after another through the gateway: first idle, then
 * while a pipeline run works on newly imported prices, until the run is over.
 */
export async function pipelineServingBench(): Promise<BenchResult> {
  const idleMs = intFromEnv("BENCH_IDLE_MS", 20_000);
  const hotCards = intFromEnv("BENCH_HOT_CARDS", 200);
  const dataDir = mkdtempSync(join(tmpdir(), "pokewatch-pipeline-serving-"));
  const server = await startServer(dataDir);
  try {
    const ask = graphql(server.gatewayUrl);
    // Fill the cache with the hot cards, then warm up on them (JIT, connections).
    const ids = server.cardIds.slice(0, hotCards);
    for (const id of ids) await ask(FAIR_PRICE, { id, d: server.lastDay });
    const fairPrice = async (i: number) => {
      const answer = await ask(FAIR_PRICE, { id: ids[i % ids.length], d: server.lastDay });
      return (answer as { card: { fairPrice: { cached: boolean } } }).card.fairPrice.cached;
    };
    await loop(() => false, fairPrice, 2_000);
    const idle = await loop(() => false, fairPrice, idleMs);

    await server.command("import");
    const trigger = (await ask("mutation { triggerPipelineRun { id } }", {})) as { triggerPipelineRun: { id: string } };
    const runId = trigger.triggerPipelineRun.id;
    let run = { status: "QUEUED", durationMs: null as number | null, error: null as string | null };
    const poll = setInterval(() => {
      void ask(`query ($id: ID!) { pipelineRun(id: $id) { status durationMs error } }`, { id: runId }).then(
        (answer) => (run = (answer as { pipelineRun: typeof run }).pipelineRun),
      );
    }, 250);
    const during = await loop(() => run.status === "SUCCEEDED" || run.status === "FAILED", fairPrice, 30 * 60_000);
    clearInterval(poll);
    if (run.status !== "SUCCEEDED") throw new Error(`the pipeline run ${runId} ended ${run.status}: ${run.error}`);

    const idleLatency = latencies(idle.samples);
    const duringLatency = latencies(during.samples);
    const ratio = duringLatency.p99 / idleLatency.p99;
    const row = (phase: string, l: ReturnType<typeof latencies>, samples: number[], missed: number) => ({
      phase,
      requests: l.n,
      p50Ms: round(l.p50, 2),
      p99Ms: round(l.p99, 2),
      maxMs: round(Math.max(...samples), 1),
      notCached: missed,
    });
    return {
      name: "pipeline-serving",
      command: "pnpm bench pipeline-serving",
      settings: {
        stack: "one process (pnpm start), embedded: PGlite, in-process cache",
        cards: server.cardIds.length,
        client: "one client, one cached card{fairPrice} after another, through the gateway",
        run: `new prices imported, then triggerPipelineRun: ${round((run.durationMs ?? 0) / 1000, 1)} s`,
      },
      rows: [
        row("idle", idleLatency, idle.samples, idle.missed),
        row("during the pipeline run", duringLatency, during.samples, during.missed),
        {
          phase: "ratio (during / idle)",
          p50Ms: round(duringLatency.p50 / idleLatency.p50, 2),
          p99Ms: round(ratio, 2),
        },
      ],
      targets: [
        {
          target: "cached card{fairPrice} p99 during a run < 2× idle p99",
          measured: `${round(duringLatency.p99, 2)} ms vs ${round(idleLatency.p99, 2)} ms idle (${round(ratio, 2)}×)`,
          met: ratio < 2,
        },
      ],
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Sequential requests until `done()` or `maxMs`; latencies of the cached answers, count of the others. */
async function loop(done: () => boolean, request: (i: number) => Promise<boolean>, maxMs: number) {
  const samples: number[] = [];
  let missed = 0;
  const until = performance.now() + maxMs;
  for (let i = 0; !done() && performance.now() < until; i++) {
    const started = performance.now();
    const cached = await request(i);
    if (cached) samples.push(performance.now() - started);
    else missed++;
  }
  return { samples, missed };
}

function graphql(url: string) {
  return async (query: string, variables: Record<string, unknown>): Promise<unknown> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
    if (answer.errors) throw new Error(`GraphQL: ${answer.errors.map((e) => e.message).join("; ")}`);
    return answer.data;
  };
}

interface Server {
  gatewayUrl: string;
  cardIds: string[];
  lastDay: string;
  command(line: string): Promise<void>;
  stop(): Promise<void>;
}

/** This file, run as the server: the stack in a child process, so the client never shares its CPU. */
async function startServer(dataDir: string): Promise<Server> {
  // BENCH_SERVER_NODE_OPTIONS profiles the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeOptions = (process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeOptions, "--import", "tsx", fileURLToPath(import.meta.url)],
    {
      env: {
        ...process.env,
        PIPELINE_SERVING_ROLE: "server",
        PIPELINE_SERVING_ADMIN_KEY: ADMIN_KEY,
        DATA_DIR: dataDir,
      },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line: IteratorResult<string> = await lines.next();
    if (line.done) throw new Error("the stack process exited");
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  process.stderr.write("starting the stack (the first start simulates prices and trains a model)…\n");
  const ready = (await next()) as { gatewayUrl: string; cardIds: string[]; lastDay: string };
  return {
    ...ready,
    async command(line) {
      child.stdin!.write(`${line}\n`);
      await next();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The server side: `pnpm start` as startStack runs it, plus an `import` command (one new day of prices). */
async function serve(): Promise<void> {
  const env = parseEnv(stackEnvSchema, {
    LOG_LEVEL: "silent",
    NODE_ENV: "production",
    // Production refuses to start without it; the benchmark's clients are programs, not pages.
    CORS_ORIGINS: "none",
    HOST: "127.0.0.1",
    GATEWAY_PORT: "0",
    PRICING_PORT: "0",
    KEYS_PORT: "0",
    PIPELINE_PORT: "0",
    DATA_DIR: process.env.DATA_DIR,
    POKEWATCH_ADMIN_KEY: ADMIN_KEY,
  });
  const db = await createDatabase({ dataDir: env.DATA_DIR });
  const stack = await startStack({ env, db, rateLimits: { enabled: false } });
  const prices = createPriceStore(db);
  const cardIds: string[] = [];
  let lastDay = "";
  for await (const series of prices.allSeries()) {
    cardIds.push(series.cardId);
    lastDay = series.points.at(-1)!.date > lastDay ? series.points.at(-1)!.date : lastDay;
  }
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  say({ gatewayUrl: stack.gatewayUrl, cardIds, lastDay });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== "import") continue;
    // The day after the last one, each card 1 % up: the run's ingest cannot reuse its cached output.
    const next = formatIsoDay(parseIsoDay(lastDay)! + 1);
    const points: PricePoint[] = [];
    for (const [cardId, history] of await prices.history(cardIds, { from: lastDay, to: lastDay })) {
      const last = history.points.at(-1);
      if (last) points.push({ ...last, cardId, date: next, market: round(last.market * 1.01, 2) });
    }
    await prices.upsert(points);
    say({ imported: points.length });
  }
  await stack.close();
  await db.close();
}

if (process.env.PIPELINE_SERVING_ROLE === "server") {
  process.on("SIGTERM", () => process.exit(0));
  await serve();
}
