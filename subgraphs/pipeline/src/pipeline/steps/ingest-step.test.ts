import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import {
  createCatalog,
  createPriceStore,
  loadBundledCatalog,
  marketMigrations,
  simulatedCatalogData,
} from "@pokewatch/market";
import { createModelRegistry } from "@pokewatch/model";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { simulateIntoStore } from "../collect/simulate-into-store.js";
import { codeVersionOf, sha256Hex } from "./content-hash.js";
import { decodeIngestOutput, encodeIngestOutput, hashSeries, ingestStep, type IngestOutput } from "./ingest-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, type PipelineOptions, type StepContext } from "./step.js";

const catalog = createCatalog(simulatedCatalogData(30, loadBundledCatalog()));
const clock = () => new Date("2026-11-28T05:30:00Z");
let dataDir: string;
const databases: Database[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "ingest-step-"));
});
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A context over a fresh, empty price store; `progress` lines are collected in `messages`. */
async function emptyStoreContext(options: Partial<PipelineOptions> = {}) {
  const db = await createPgliteDatabase();
  databases.push(db);
  await runMigrations(db, "market", marketMigrations());
  const messages: string[] = [];
  const ctx: StepContext = {
    db,
    prices: createPriceStore(db),
    registry: createModelRegistry({ db }),
    catalog,
    logger: silentLogger(),
    dataDir,
    clock,
    options: { ...DEFAULT_PIPELINE_OPTIONS, simulateDays: 90, ...options },
    runId: "run_test",
    progress: (message) => messages.push(message),
  };
  return { ctx, messages };
}

describe("ingest step", () => {
  it("reads back what collect simulated into the store, and says it is simulated", async () => {
    const { ctx, messages } = await emptyStoreContext({ simulateSeed: 7 });
    await simulateIntoStore(ctx, "2026-11-28");
    messages.length = 0;
    const first = await ingestStep.run(ctx);

    expect(first.output.simulated).toBe(true);
    expect(first.output.sources).toEqual(["simulator"]);
    expect(first.output.series).toHaveLength(30);
    expect(first.output.series.map((s) => s.cardId)).toEqual(
      catalog
        .cards()
        .map((card) => card.id)
        .sort(),
    );
    for (const series of first.output.series) {
      expect(series.points).toHaveLength(90);
      expect(series.points.at(-1)!.date).toBe("2026-11-27");
    }
    expect(first.message).toBe("30 cards, 2,700 prices (simulator): simulated prices only, not market data");
    expect(messages).toEqual([]);

    const second = await ingestStep.run(ctx);
    expect(second.output.dataHash).toBe(first.output.dataHash);
    expect(second.output.series).toEqual(first.output.series);
    // Same prices, same hash: the later steps of the next run come from the cache.
    expect(second.outputHash).toBe(first.outputHash);
    expect(await ctx.prices.summary()).toMatchObject({ points: 2700 });
  });

  it("is not simulated as soon as one price is market data", async () => {
    const { ctx } = await emptyStoreContext();
    await simulateIntoStore(ctx, "2026-11-28");
    const [card] = catalog.cards();
    await ctx.prices.upsert([
      { cardId: card!.id, date: "2026-11-28", market: 2, low: null, high: null, volume: null, source: "pokemontcg.io" },
    ]);
    const { output, message } = await ingestStep.run(ctx);
    expect(output).toMatchObject({ simulated: false, sources: ["pokemontcg.io", "simulator"] });
    expect(message).toBe("30 cards, 2,701 prices (pokemontcg.io, simulator)");
  });

  it("fails on an empty store, pointing at collect, and writes nothing", async () => {
    const { ctx } = await emptyStoreContext();
    const failure = await ingestStep.run(ctx).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as Error).message).toMatch(/^no prices stored: collect found none \(see its message\); import /);
    expect(await ctx.prices.summary()).toMatchObject({ points: 0 });
  });

  it("reports reading progress every 500 cards", async () => {
    const { ctx, messages } = await emptyStoreContext();
    const points = Array.from({ length: 1000 }, (_, i) => ({
      cardId: `card-${String(i).padStart(4, "0")}`,
      date: "2026-11-01",
      market: 1 + i,
      low: null,
      high: null,
      volume: null,
      source: "tcgplayer",
    }));
    await ctx.prices.upsert(points);
    const { output } = await ingestStep.run(ctx);
    expect(output.series).toHaveLength(1000);
    expect(messages).toEqual(["read 500 cards", "read 1,000 cards"]);
  });
});

describe("ingest cache input", () => {
  it("never repeats for an empty store: ingesting it fails, which a cache hit must not hide", async () => {
    const { ctx } = await emptyStoreContext();
    expect(await ingestStep.cacheInput!(ctx)).not.toBe(await ingestStep.cacheInput!(ctx));
  });

  it("stays put while the store does, and moves when a stored price changes", async () => {
    const { ctx } = await emptyStoreContext();
    await simulateIntoStore(ctx, "2026-11-28");
    const before = await ingestStep.cacheInput!(ctx);
    expect(await ingestStep.cacheInput!(ctx)).toBe(before);

    const [series] = (await ingestStep.run(ctx)).output.series;
    const point = series!.points[10]!;
    await ctx.prices.upsert([point]);
    expect(await ingestStep.cacheInput!(ctx)).toBe(before);

    await ctx.prices.upsert([{ ...point, market: point.market + 0.01 }]);
    expect(await ingestStep.cacheInput!(ctx)).not.toBe(before);
  });
});

describe("ingest output", () => {
  const output: IngestOutput = {
    series: [
      {
        cardId: "sv3pt5-6",
        points: [
          { cardId: "sv3pt5-6", date: "2026-10-01", market: 1.25, low: 1, high: 1.5, volume: 3, source: "tcgplayer" },
          {
            cardId: "sv3pt5-6",
            date: "2026-10-02",
            market: 0.1 + 0.2,
            low: null,
            high: null,
            volume: null,
            source: "x",
          },
          {
            cardId: "sv3pt5-6",
            date: "NaN",
            market: Number.NaN,
            low: -0,
            high: Infinity,
            volume: -Infinity,
            source: "",
          },
        ],
      },
      { cardId: "base1-4", points: [] },
    ],
    sources: ["tcgplayer", "x"],
    dataHash: "abc",
    simulated: false,
  };

  it("survives serialize and deserialize unchanged, non-finite numbers included", () => {
    const back = ingestStep.deserialize!(ingestStep.serialize!(output));
    expect(back).toEqual(output);
    expect(Object.is(back.series[0]!.points[2]!.low, -0)).toBe(true);
  });

  it("carries the fields of an extended output (validate's report) through the same codec", () => {
    const extended = { ...output, report: { cards: 2, problems: ["one"] } };
    expect(decodeIngestOutput<typeof extended>(encodeIngestOutput(extended))).toEqual(extended);
  });

  it("refuses bytes of another format", () => {
    expect(() => ingestStep.deserialize!(Buffer.from('{"format":"other","series":[]}'))).toThrow(
      /not a pokewatch\.series\/1 step output/,
    );
  });

  it("hashes the series' content: any changed value changes the data hash", () => {
    const changed = structuredClone(output.series);
    changed[0]!.points[0]!.volume = 4;
    expect(hashSeries(output.series)).toBe(hashSeries(structuredClone(output.series)));
    expect(hashSeries(changed)).not.toBe(hashSeries(output.series));
  });
});

describe("content hash", () => {
  it("keeps part boundaries apart", () => {
    expect(sha256Hex("ab", "c")).not.toBe(sha256Hex("a", "bc"));
    expect(sha256Hex("abc")).toBe(sha256Hex(new TextEncoder().encode("abc")));
  });

  it("takes a step's code version from its module file's bytes", () => {
    const expected = createHash("sha256").update(readFileSync(ingestStep.codeUrl)).digest("hex");
    expect(codeVersionOf(ingestStep.codeUrl)).toBe(expected);
    expect(codeVersionOf(new URL(ingestStep.codeUrl.href))).toBe(expected);
  });
});
