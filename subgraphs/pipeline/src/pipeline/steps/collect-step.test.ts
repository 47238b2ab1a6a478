import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database, type Logger } from "@pokewatch/kit";
import { capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import {
  SIMULATED_SETS,
  createCatalog,
  createPriceStore,
  loadBundledCatalog,
  marketMigrations,
  type Catalog,
  type CatalogData,
} from "@pokewatch/market";
import {
  fakePokemonTcgHandler,
  sendFakeJson,
  startFakeProviderServer,
  type FakeHandler,
  type FakePokemonTcgOptions,
  type FakeProviderServer,
} from "@pokewatch/market/testing";
import { createModelRegistry } from "@pokewatch/model";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_COLLECT_OPTIONS, type CollectOptions } from "../collect/collect-options.js";
import { collectStep } from "./collect-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, type PipelineOptions, type StepContext } from "./step.js";

const bundled = loadBundledCatalog();
/** Whole bundled sets; sv8 has more cards than one page of 250. */
function catalogOf(setIds: string[]): Catalog {
  const data: CatalogData = {
    source: "collect-step test",
    sets: setIds.map((id) => bundled.set(id)!),
    cards: setIds.flatMap((id) => [...bundled.cards(id)]),
  };
  return createCatalog(data);
}
const FIVE_SETS = catalogOf(["sv3pt5", "sv6pt5", "sv8", "sv9", "me2"]);
const clock = () => new Date("2026-11-28T05:30:00Z");
let dataDir: string;
// One database for the file (PGlite takes seconds to start on a busy machine), emptied before each test.
let db: Database;
const servers: FakeProviderServer[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "collect-step-"));
  db = await createPgliteDatabase();
  await runMigrations(db, "market", marketMigrations());
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function serve(handler: FakeHandler): Promise<FakeProviderServer> {
  const server = await startFakeProviderServer(handler);
  servers.push(server);
  return server;
}

const fakeApi = (catalog: Catalog, options: Partial<FakePokemonTcgOptions> = {}) =>
  serve(fakePokemonTcgHandler({ catalog, updatedAt: "2026/11/27", ...options }));

async function context(
  catalog: Catalog,
  collect: Partial<CollectOptions>,
  { logger = silentLogger(), options = {} }: { logger?: Logger; options?: Partial<PipelineOptions> } = {},
) {
  await db.exec("TRUNCATE price_points, price_collections");
  const progress: string[] = [];
  const ctx: StepContext = {
    db,
    prices: createPriceStore(db),
    registry: createModelRegistry({ db }),
    catalog,
    logger,
    dataDir,
    clock,
    options: {
      ...DEFAULT_PIPELINE_OPTIONS,
      simulateDays: 40,
      ...options,
      collect: { ...DEFAULT_COLLECT_OPTIONS, source: "auto", timeoutMs: 2_000, ...collect },
    },
    runId: "run_test",
    progress: (message) => progress.push(message),
  };
  return { ctx, progress };
}

const setRequests = (server: FakeProviderServer) =>
  server.requests.map((r) => `${r.query.get("q")!.slice("set.id:".length)} p${r.query.get("page")}`);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("collect from pokemontcg.io", () => {
  it("stores every set's TCGplayer prices dated by tcgplayer.updatedAt, paging, and counting cards without a price", async () => {
    const unpriced = FIVE_SETS.cards("me2")
      .slice(0, 3)
      .map((card) => card.id);
    const server = await fakeApi(FIVE_SETS, { unpriced });
    const { ctx, progress } = await context(FIVE_SETS, { pokemontcg: { baseUrl: `${server.url}/v2` } });
    const { output, message } = await collectStep.run(ctx);

    const cards = FIVE_SETS.size;
    expect(await ctx.prices.summary()).toEqual({
      cards: cards - 3,
      points: cards - 3,
      from: "2026-11-27",
      to: "2026-11-27",
      sources: ["pokemontcg.io"],
    });
    // sv8 is more than a page: two requests.
    expect(setRequests(server).sort()).toEqual(["me2 p1", "sv3pt5 p1", "sv6pt5 p1", "sv8 p1", "sv8 p2", "sv9 p1"]);
    expect(server.requests.every((r) => r.query.get("pageSize") === "250")).toBe(true);
    const [report] = output.providers;
    expect(report).toMatchObject({ provider: "pokemontcg.io", requested: 5, skippedCards: 3, failed: [] });
    expect(report!.collected.find((c) => c.scope === "me2")).toEqual({
      scope: "me2",
      points: FIVE_SETS.cards("me2").length - 3,
      skipped: 3,
    });
    expect(output.simulated).toBeNull();
    expect(message).toBe(
      `2026-11-28: pokemontcg.io: 5 of 5 sets collected (${(cards - 3).toLocaleString("en-US")} prices, ` +
        `${(cards - 3).toLocaleString("en-US")} new, 0 changed, 3 cards without a price)`,
    );
    expect(progress).toContain(
      `pokemontcg.io me2: ${FIVE_SETS.cards("me2").length - 3} prices (${FIVE_SETS.cards("me2").length - 3} new, 0 changed), 3 cards without a price`,
    );
  });

  it("fetches nothing again the same day; the next day it fetches every set again", async () => {
    const server = await fakeApi(FIVE_SETS);
    const { ctx } = await context(FIVE_SETS, { pokemontcg: { baseUrl: `${server.url}/v2` } });
    await collectStep.run(ctx);
    const firstRequests = server.requests.length;
    const keyAfterFirst = await collectStep.cacheInput!(ctx);

    const again = await collectStep.run(ctx);
    expect(server.requests.length).toBe(firstRequests);
    expect(again.message).toBe(
      "2026-11-28: pokemontcg.io: 0 of 5 sets collected (0 prices, 0 new, 0 changed, 0 cards without a price); " +
        "5 already collected that day",
    );
    // Nothing left to fetch: the step's cache key stays put, so the runner serves it from the cache.
    expect(await collectStep.cacheInput!(ctx)).toBe(keyAfterFirst);

    const nextDay: StepContext = { ...ctx, clock: () => new Date("2026-11-29T03:00:00Z") };
    expect(await collectStep.cacheInput!(nextDay)).not.toBe(keyAfterFirst);
    await collectStep.run(nextDay);
    expect(server.requests.length).toBe(2 * firstRequests);
    // The same prices (same updatedAt) again: nothing new stored.
    expect((await ctx.prices.summary()).points).toBe(FIVE_SETS.size);
  });

  it("survives a 429 with Retry-After, a 5xx, a malformed page and a set that is down, naming what failed", async () => {
    const server = await fakeApi(FIVE_SETS, {
      trouble: {
        sv8: { kind: "rate-limited-once", retryAfterSeconds: 1 },
        sv3pt5: { kind: "server-error", status: 502, times: 1 },
        sv6pt5: { kind: "malformed-page", page: 1 },
        sv9: { kind: "down", status: 500 },
      },
    });
    const { ctx } = await context(FIVE_SETS, { pokemontcg: { baseUrl: `${server.url}/v2` } });
    const { output, message } = await collectStep.run(ctx);

    const [report] = output.providers;
    expect(report!.collected.map((c) => c.scope).sort()).toEqual(["me2", "sv3pt5", "sv8"]);
    expect(report!.failed).toEqual([
      { scope: "sv6pt5", reason: "BAD_RESPONSE, HTTP 200" },
      { scope: "sv9", reason: "UPSTREAM, HTTP 500" },
    ]);
    expect(message).toContain("failed: sv6pt5 (BAD_RESPONSE, HTTP 200), sv9 (UPSTREAM, HTTP 500)");
    // sv8: 429, then both pages; sv3pt5: 502, then the page; sv9: the first try and two retries.
    expect(setRequests(server).filter((r) => r.startsWith("sv8"))).toEqual(["sv8 p1", "sv8 p1", "sv8 p2"]);
    expect(setRequests(server).filter((r) => r.startsWith("sv3pt5"))).toEqual(["sv3pt5 p1", "sv3pt5 p1"]);
    expect(setRequests(server).filter((r) => r.startsWith("sv9"))).toHaveLength(3);
    const stored = FIVE_SETS.cards("sv8").length + FIVE_SETS.cards("sv3pt5").length + FIVE_SETS.cards("me2").length;
    expect((await ctx.prices.summary()).points).toBe(stored);

    // The next run asks only for the two sets that failed.
    const before = server.requests.length;
    const second = await collectStep.run(ctx);
    expect(
      setRequests(server)
        .slice(before)
        .map((r) => r.split(" ")[0]),
    ).toEqual(expect.arrayContaining(["sv6pt5", "sv9"]));
    expect(
      new Set(
        setRequests(server)
          .slice(before)
          .map((r) => r.split(" ")[0]),
      ),
    ).toEqual(new Set(["sv6pt5", "sv9"]));
    expect(second.message).toContain("3 already collected that day");
  });

  it("stops at a Retry-After beyond the cap without waiting for it, and leaves the other sets for the next run", async () => {
    const catalog = catalogOf(["sv3pt5", "sv6pt5", "me2"]);
    const first = catalog.sets()[0]!.id;
    const server = await fakeApi(catalog, {
      trouble: { [first]: { kind: "rate-limited", retryAfterSeconds: 86_400 } },
    });
    const { ctx } = await context(catalog, { pokemontcg: { baseUrl: `${server.url}/v2` } });
    const { output, message } = await collectStep.run(ctx);

    expect(server.requests).toHaveLength(1);
    expect(output.providers[0]).toMatchObject({
      failed: [{ scope: first, reason: "RATE_LIMITED, HTTP 429, retry-after 86400 s" }],
      stopped: "rate limited",
      notTried: 2,
    });
    expect(message).toContain(
      `failed: ${first} (RATE_LIMITED, HTTP 429, retry-after 86400 s); stopped: rate limited; 2 not tried (next run)`,
    );
    expect(await ctx.prices.summary()).toMatchObject({ points: 0 });
  });

  it("stops between sets when the run is stopped (the service shuts down)", async () => {
    const server = await fakeApi(FIVE_SETS);
    const { ctx } = await context(FIVE_SETS, { pokemontcg: { baseUrl: `${server.url}/v2` } });
    const stop = new AbortController();
    const stopping: StepContext = {
      ...ctx,
      signal: stop.signal,
      progress: () => stop.abort(),
    };
    await expect(collectStep.run(stopping)).rejects.toThrow(/^stopped before pokemontcg\.io \S+: the run was stopped$/);
    // The first set was stored (with its log entry); the others are left for the next run.
    expect(new Set(setRequests(server).map((r) => r.split(" ")[0])).size).toBe(1);
  });

  it("collects only the sets asked for, and refuses a set the catalog does not have", async () => {
    const server = await fakeApi(FIVE_SETS);
    const { ctx } = await context(FIVE_SETS, { pokemontcg: { baseUrl: `${server.url}/v2` }, sets: ["me2"] });
    await collectStep.run(ctx);
    expect(setRequests(server)).toEqual(["me2 p1"]);

    const wrong: StepContext = {
      ...ctx,
      options: { ...ctx.options, collect: { ...ctx.options.collect, sets: ["nope9"] } },
    };
    await expect(collectStep.run(wrong)).rejects.toThrow(
      new StepFailure("unknown set ids (not in the catalog): nope9"),
    );
    const ahead: StepContext = {
      ...ctx,
      options: { ...ctx.options, collect: { ...ctx.options.collect, date: "2026-11-29" } },
    };
    await expect(collectStep.run(ahead)).rejects.toThrow(/collect date 2026-11-29 is after today \(2026-11-28\)/);
  });
});

describe("collect without a provider", () => {
  const small = catalogOf(["me2", "sv6pt5"]);

  it("auto: gives up on a provider that does not answer after one set, and simulates an empty store with a WARN", async () => {
    const { logger, lines } = capturingLogger();
    const port = await closedPort();
    const { ctx } = await context(small, { pokemontcg: { baseUrl: `http://127.0.0.1:${port}/v2` } }, { logger });
    const { output, message } = await collectStep.run(ctx);

    expect(output.providers[0]).toMatchObject({ answered: false, notTried: 1, collected: [] });
    expect(output.providers[0]!.stopped).toMatch(/^pokemontcg\.io does not answer \(NETWORK, ECONNREFUSED/);
    expect(output.simulated).toMatch(/^simulated 229 cards × 40 days/);
    expect(message).toContain('(no provider answered and the store was empty; source "simulator", not market data)');
    expect(await ctx.prices.summary()).toMatchObject({ sources: ["simulator"], to: "2026-11-27" });
    const warn = lines().find((line) => line.includes('"level":40'));
    expect(warn).toContain("no price provider answered and the price store is empty");
  });

  it("auto: leaves a store that has prices alone when no provider answers", async () => {
    const port = await closedPort();
    const { ctx } = await context(small, { pokemontcg: { baseUrl: `http://127.0.0.1:${port}/v2` } });
    const card = small.cards()[0]!.id;
    await ctx.prices.upsert([
      { cardId: card, date: "2026-11-20", market: 1, low: null, high: null, volume: null, source: "tcgplayer" },
    ]);
    const { output } = await collectStep.run(ctx);
    expect(output.simulated).toBeNull();
    expect(await ctx.prices.summary()).toMatchObject({ points: 1, sources: ["tcgplayer"] });
  });

  it("providers: never simulates, even on an empty store", async () => {
    const port = await closedPort();
    const { ctx } = await context(small, {
      source: "providers",
      pokemontcg: { baseUrl: `http://127.0.0.1:${port}/v2` },
    });
    const { output } = await collectStep.run(ctx);
    expect(output.simulated).toBeNull();
    expect(await ctx.prices.summary()).toMatchObject({ points: 0 });
  });

  it("simulator: fetches nothing, and fills only an empty store", async () => {
    const server = await fakeApi(small);
    const { ctx } = await context(small, { source: "simulator", pokemontcg: { baseUrl: `${server.url}/v2` } });
    const first = await collectStep.run(ctx);
    expect(first.message).toMatch(
      /simulated 229 cards × 40 days \(seed 1, 2026-10-19\.\.2026-11-27\) \(PRICE_SOURCE=simulator; source "simulator", not market data\)$/,
    );
    const second = await collectStep.run(ctx);
    expect(second.output.simulated).toBeNull();
    expect(second.message).toBe(
      "2026-11-28: PRICE_SOURCE=simulator: nothing fetched (2 sets; the simulator only fills an empty store)",
    );
    expect(server.requests).toHaveLength(0);
    expect((await ctx.prices.summary()).points).toBe(229 * 40);
  });

  it("simulates only the SIMULATED_SETS of the whole bundled catalog: 2,080 cards, not 19,783", async () => {
    const { ctx } = await context(bundled, { source: "simulator" }, { options: { simulateDays: 2 } });
    const { output } = await collectStep.run(ctx);
    expect(output.simulated).toMatch(/^simulated 2,080 cards × 2 days/);
    const summary = await ctx.prices.summary();
    expect(summary).toMatchObject({ cards: 2080, points: 2080 * 2 });
    const [row] = await db.query<{ outside: number }>(
      "SELECT count(*)::int AS outside FROM price_points WHERE split_part(card_id, '-', 1) <> ALL($1)",
      [SIMULATED_SETS],
    );
    expect(row?.outside).toBe(0);
  });

  it("fails clearly when the catalog holds none of the simulated sets", async () => {
    const { ctx } = await context(catalogOf(["base1"]), { source: "simulator" });
    await expect(collectStep.run(ctx)).rejects.toThrow(
      /^cannot simulate prices: the catalog holds none of the simulated sets \(sv3pt5, /,
    );
  });

  it("fails with the option at fault when the simulation options are bad", async () => {
    const { ctx } = await context(small, { source: "simulator" }, { options: { simulateDays: 0 } });
    await expect(collectStep.run(ctx)).rejects.toThrow(/^cannot simulate prices: simulateDays must be a whole number/);
  });
});

describe("backfill from Pokémon Price Tracker", () => {
  const small = catalogOf(["me2"]);
  /** PPT's nested history shape: 60 days of Near Mint prices for any card asked for. */
  const pptHandler: FakeHandler = (request, res) => {
    const history = Array.from({ length: 60 }, (_, i) => ({
      date: new Date(Date.UTC(2026, 8, 29 + i)).toISOString().slice(0, 10),
      market: 2 + i / 100,
      volume: 1,
    }));
    sendFakeJson(res, 200, {
      data: {
        name: "card",
        cardNumber: request.query.get("cardNumber"),
        prices: { market: 3, lastUpdated: "2026-11-27T10:00:00Z" },
        priceHistory: { conditions: { "Near Mint": { history } } },
      },
    });
  };

  it("asks for the history of cards too short for the model, within the calls budget, and not twice", async () => {
    const tcg = await fakeApi(small);
    const ppt = await serve(pptHandler);
    const { ctx } = await context(small, {
      pokemontcg: { baseUrl: `${tcg.url}/v2` },
      ppt: { baseUrl: ppt.url, apiKey: "ppt_test_key_123", backfillDays: 90, maxCallsPerRun: 3 },
    });
    const { output, message } = await collectStep.run(ctx);

    expect(ppt.requests).toHaveLength(3);
    const [first] = ppt.requests;
    const card = small.cards()[0]!;
    expect(first!.headers.authorization).toBe("Bearer ppt_test_key_123");
    expect(Object.fromEntries(first!.query)).toMatchObject({
      cardNumber: `${card.number}/${small.set("me2")!.printedTotal}`,
      set: small.set("me2")!.name,
      includeHistory: "true",
      days: "90",
    });
    expect(output.providers[1]).toMatchObject({
      provider: "pokemonpricetracker",
      unit: "card",
      stopped: "call budget of 3 spent",
    });
    expect(message).toContain("pokemonpricetracker: 3 of");
    const histories = await ctx.prices.history([card.id]);
    expect(histories.get(card.id)!.points).toHaveLength(60);
    expect((await ctx.prices.summary()).sources).toEqual(["pokemonpricetracker", "pokemontcg.io"]);

    // The next run backfills the next three cards, not the same ones.
    await collectStep.run(ctx);
    expect(ppt.requests).toHaveLength(6);
    const asked = ppt.requests.map((r) => r.query.get("cardNumber"));
    expect(new Set(asked).size).toBe(6);
  });
});
