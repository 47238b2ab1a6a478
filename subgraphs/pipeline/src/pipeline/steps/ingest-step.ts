import { createHash, randomUUID, type Hash } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { PricePoint, PriceSeries } from "@pokewatch/market";
import { asBuffer, computeOptions, runInComputeWorker } from "../worker/compute-worker.js";
import { packedOnce } from "../worker/packed-series.js";
import { sha256Hex } from "./content-hash.js";
import { StepFailure, type PipelineStep, type StepContext } from "./step.js";

/** What a run trains on: every card's daily history, and where it came from. */
export interface IngestOutput {
  /** Every card with prices, in card id order, each ascending by date. */
  series: PriceSeries[];
  /** The sources of the prices read (`pokemontcg.io`, `tcgplayer`, `simulator`, …), sorted. */
  sources: string[];
  /** SHA-256 of the series' content: card ids, dates, prices, volumes, sources. */
  dataHash: string;
  /** True when every price read is simulated (`source: "simulator"`): no market data behind the model. */
  simulated: boolean;
}

const PROGRESS_EVERY_CARDS = 500;
/**
 * Cards per read. On PGlite every query runs on the event loop that serves API calls, ~25 µs a
 * price: 500 cards (60,000 prices) held it ~2 s a read; 8 cards of 120 days hold it ~25 ms, and
 * the loop gets a turn between reads. (On PostgreSQL the reads are only more round trips.)
 */
export const CARDS_PER_READ = 8;
const FORMAT = "pokewatch.series/1";
const count = (n: number) => n.toLocaleString("en-US");

/**
 * Step 2: reads every card's price history from the price store, which collect (step 1) filled.
 * An empty store fails the run: there is nothing to train on.
 */
export const ingestStep: PipelineStep<void, IngestOutput> = {
  name: "ingest",
  cacheable: true,
  codeUrl: new URL(import.meta.url),

  /**
   * The store's summary (cards, points, first and last day, sources) plus the sum and latest of
   * `imported_at`, without reading a price. An upsert stamps `imported_at` only on rows it inserts
   * or whose values it changes, so any insert, change or delete moves one of these. An empty store
   * is never a cache hit: ingesting it fails, which a hit must not hide.
   */
  async cacheInput(ctx) {
    const summary = await ctx.prices.summary();
    if (summary.points === 0) return `empty price store ${randomUUID()}`;
    const [stamps] = await ctx.db.query<{ latest: string | null; total: string | null }>(
      `SELECT max(imported_at)::text AS latest, sum(extract(epoch FROM imported_at))::text AS total
       FROM price_points`,
    );
    return sha256Hex(JSON.stringify({ ...summary, importedAt: stamps ?? null }));
  },

  async run(ctx) {
    // Not the store's summary: that counts every price, a full read that held PGlite's loop ~0.6 s.
    const [{ any } = { any: false }] = await ctx.db.query<{ any: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM price_points) AS any",
    );
    if (!any) {
      throw new StepFailure(
        "no prices stored: collect found none (see its message); import a price file with pnpm data:import, " +
          "or set PRICE_SOURCE=simulator to simulate the catalog",
      );
    }
    const { series, dataHash } = await readAllSeries(ctx);
    const sources = sourcesOf(series);
    const simulated = sources.length > 0 && sources.every((source) => source === "simulator");
    const output: IngestOutput = { series, sources, dataHash, simulated };
    const points = series.reduce((sum, s) => sum + s.points.length, 0);
    const read = `${count(series.length)} cards, ${count(points)} prices (${sources.join(", ")})`;
    // Encoding a quarter of a million prices as JSON holds a thread for seconds: not this one.
    const { series: _series, ...rest } = output;
    const body = await runInComputeWorker("encodeSeries", { series: packedOnce(series), rest }, computeOptions(ctx));
    return {
      output,
      body: asBuffer(body),
      outputHash: ingestOutputHash(output),
      message: simulated ? `${read}: simulated prices only, not market data` : read,
    };
  },

  serialize: (output) => encodeIngestOutput(output),
  deserialize: (body) => decodeIngestOutput<IngestOutput>(body),
};

/** Every stored series and their hash (as `hashSeries`), read in short reads with a turn of the loop between. */
async function readAllSeries(ctx: StepContext): Promise<{ series: PriceSeries[]; dataHash: string }> {
  const series: PriceSeries[] = [];
  const hash = createHash("sha256");
  for await (const one of ctx.prices.allSeries({ cardsPerChunk: CARDS_PER_READ })) {
    series.push(one);
    hashOne(hash, one);
    if (series.length % PROGRESS_EVERY_CARDS === 0) ctx.progress?.(`read ${count(series.length)} cards`);
    if (series.length % CARDS_PER_READ === 0) await nextTurn();
  }
  return { series, dataHash: hash.digest("hex") };
}

/** The sources of the points read (where sources overlap on a day, only the one read counts). */
function sourcesOf(series: readonly PriceSeries[]): string[] {
  const sources = new Set<string>();
  for (const { points } of series) for (const point of points) sources.add(point.source);
  return [...sources].sort();
}

/** SHA-256 over every point's fields, card by card: equal histories give equal hashes. */
export function hashSeries(series: readonly PriceSeries[]): string {
  const hash = createHash("sha256");
  for (const one of series) hashOne(hash, one);
  return hash.digest("hex");
}

function hashOne(hash: Hash, { cardId, points }: PriceSeries): void {
  hash.update(`${JSON.stringify(cardId)}:${points.length}\n`);
  hash.update(JSON.stringify(points.map(pointTuple), numberReplacer));
}

/** The content hash of an ingest output (validate adds its report to this). */
/**
 * The prices' content alone: a run that reads back what the previous one simulated has the same
 * input for the later steps, whose cached outputs it then reuses.
 */
export const ingestOutputHash = (output: IngestOutput): string => output.dataHash;

type PointTuple = [
  date: string,
  market: number,
  low: number | null,
  high: number | null,
  volume: number | null,
  source: string,
];
const pointTuple = (p: PricePoint): PointTuple => [p.date, p.market, p.low, p.high, p.volume, p.source];

// JSON has no NaN, Infinity or -0; written as strings, they survive the cache (validate may pass a few).
function numberReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0)))
    return Object.is(value, -0) ? "-0" : String(value);
  return value;
}
const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));
/** A point tuple as JSON holds it: numbers JSON cannot write are strings. */
type StoredTuple = [
  string,
  number | string,
  number | string | null,
  number | string | null,
  number | string | null,
  string,
];

/**
 * An ingest output, or one that extends it (validate's), as compact JSON for the step-output
 * cache: each point a tuple, non-finite numbers kept. Lossless.
 */
export function encodeIngestOutput(output: IngestOutput): Buffer {
  const series = output.series.map((s) => [s.cardId, s.points.map(pointTuple)]);
  return Buffer.from(JSON.stringify({ ...output, format: FORMAT, series }, numberReplacer), "utf8");
}

/** Reads back what `encodeIngestOutput` wrote; throws on anything else (a stale cache entry). */
export function decodeIngestOutput<T extends IngestOutput>(body: Buffer): T {
  const { format, series, ...rest } = JSON.parse(body.toString("utf8")) as {
    format?: unknown;
    series: [string, StoredTuple[]][];
  };
  if (format !== FORMAT) throw new Error(`not a ${FORMAT} step output (format ${JSON.stringify(format)})`);
  const decoded: PriceSeries[] = series.map(([cardId, tuples]) => ({
    cardId,
    points: tuples.map(([date, market, low, high, volume, source]) => ({
      cardId,
      date,
      market: Number(market),
      low: toNumber(low),
      high: toNumber(high),
      volume: toNumber(volume),
      source,
    })),
  }));
  return { ...rest, series: decoded } as T;
}
