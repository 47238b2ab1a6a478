import type { Database } from "@pokewatch/kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPriceStore, type PriceStore } from "./price-store.js";
import { point, STORE_ENGINES, storedRows, type StoreDatabase } from "./store-engines.js";

describe.each(STORE_ENGINES)("price store on %s", (_engine, open) => {
  let handle: StoreDatabase;
  let db: Database;
  let store: PriceStore;

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    store = createPriceStore(db);
  });
  afterAll(() => handle?.close());
  beforeEach(() => db.exec("TRUNCATE price_points"));

  describe("upsert", () => {
    const day1 = [point("sv1-1", "2025-06-01", 10), point("sv1-1", "2025-06-02", 11), point("sv1-2", "2025-06-01", 5)];

    it("inserts, then re-imports the same points without duplicating or rewriting them", async () => {
      expect(await store.upsert(day1)).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
      const before = await db.query("SELECT card_id, date, source, imported_at FROM price_points ORDER BY 1, 2");
      expect(await store.upsert(day1)).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
      expect(await db.query("SELECT card_id, date, source, imported_at FROM price_points ORDER BY 1, 2")).toEqual(
        before,
      );
    });

    it("replaces a changed value and counts it as updated", async () => {
      await store.upsert(day1);
      const changed = [point("sv1-1", "2025-06-02", 12.5, { low: 11, high: 14, volume: 3 }), day1[2]!];
      expect(await store.upsert(changed)).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
      const [series] = (await store.history(["sv1-1"])).values();
      expect(series!.points.at(-1)).toEqual(changed[0]);
      expect(await storedRows(db)).toHaveLength(3);
    });

    it("keeps the last of a key repeated within one call", async () => {
      const repeated = [
        point("sv1-1", "2025-06-01", 1),
        point("sv1-1", "2025-06-01", 2),
        point("sv1-2", "2025-06-01", 3),
      ];
      expect(await store.upsert(repeated)).toEqual({ inserted: 2, updated: 0, unchanged: 1 });
      expect((await storedRows(db)).map((r) => r.market)).toEqual([2, 3]);
    });

    it("writes nothing when any batch fails, even after earlier batches succeeded", async () => {
      await store.upsert([point("sv1-1", "2025-06-01", 10)]);
      const small = createPriceStore(db, { batchSize: 2 });
      const points = [
        point("sv1-1", "2025-06-01", 99), // would update the stored row, in the first batch
        point("sv1-2", "2025-06-01", 1),
        point("sv1-3", "2025-06-01", 1),
        point("sv1-4", "2025-06-01", 1),
        point("sv1-5", "2025-06-01", -1), // refused by the table, in the third batch
      ];
      await expect(small.upsert(points)).rejects.toThrow(/price_points_market_check/);
      expect(await storedRows(db)).toEqual([{ card_id: "sv1-1", date: "2025-06-01", source: "csv", market: 10 }]);
    });

    it("keeps prices exactly, and volume 0 apart from unknown", async () => {
      const exact = [
        point("sv1-1", "2025-06-01", 0.01, { low: 0.01, high: 123456.78, volume: 0 }),
        point("sv1-1", "2025-06-02", 19.99),
      ];
      await store.upsert(exact);
      expect((await store.history(["sv1-1"])).get("sv1-1")!.points).toEqual(exact);
    });
  });

  describe("reads", () => {
    beforeEach(async () => {
      // Inserted out of order, and over three imports so the sources differ in imported_at.
      await store.upsert([point("a-1", "2025-06-03", 3), point("a-1", "2025-06-01", 1), point("b-2", "2025-06-02", 7)]);
      await store.upsert([point("a-1", "2025-06-02", 2.5, { source: "tcgplayer" })]);
      await store.upsert([point("a-1", "2025-06-02", 2), point("c-3", "2025-05-30", 9, { source: "simulator" })]);
    });

    it("gives each card its points ascending, one a day, the most recently imported source winning", async () => {
      const history = await store.history(["a-1", "b-2"]);
      expect([...history.keys()]).toEqual(["a-1", "b-2"]);
      expect(history.get("a-1")!.points.map((p) => [p.date, p.market, p.source])).toEqual([
        ["2025-06-01", 1, "csv"],
        ["2025-06-02", 2, "csv"],
        ["2025-06-03", 3, "csv"],
      ]);
      const june2 = async () => (await store.history(["a-1"])).get("a-1")!.points[1];
      // Repeating the older source's value changes nothing, so it does not become the latest.
      await store.upsert([point("a-1", "2025-06-02", 2.5, { source: "tcgplayer" })]);
      expect(await june2()).toMatchObject({ market: 2, source: "csv" });
      await store.upsert([point("a-1", "2025-06-02", 2.75, { source: "tcgplayer" })]);
      expect(await june2()).toMatchObject({ market: 2.75, source: "tcgplayer" });
    });

    it("breaks a tie between sources written together by source name", async () => {
      await store.upsert([
        point("d-4", "2025-06-01", 2, { source: "zeta" }),
        point("d-4", "2025-06-01", 1, { source: "alpha" }),
      ]);
      expect((await store.history(["d-4"])).get("d-4")!.points).toEqual([
        point("d-4", "2025-06-01", 1, { source: "alpha" }),
      ]);
    });

    it("filters by inclusive from / to, and answers every requested id once", async () => {
      const history = await store.history(["a-1", "nope-1", "a-1"], { from: "2025-06-02", to: "2025-06-03" });
      expect([...history.keys()]).toEqual(["a-1", "nope-1"]);
      expect(history.get("a-1")!.points.map((p) => p.date)).toEqual(["2025-06-02", "2025-06-03"]);
      expect(history.get("nope-1")).toEqual({ cardId: "nope-1", points: [] });
      expect((await store.history(["a-1"], { to: "2025-06-01" })).get("a-1")!.points).toHaveLength(1);
      expect((await store.history([])).size).toBe(0);
    });

    it("reads 1,000 cards in one query", async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
      await store.upsert(ids.flatMap((id) => [point(id, "2025-06-01", 1), point(id, "2025-06-02", 2)]));
      let queries = 0;
      const counted = createPriceStore({ ...db, query: (sql, params) => (queries++, db.query(sql, params)) });
      const history = await counted.history(ids);
      expect(queries).toBe(1);
      expect([...history.values()].every((s) => s.points.length === 2)).toBe(true);
    });

    it("gives the first and last day per card, and a summary", async () => {
      const ranges = await store.dateRanges(["a-1", "c-3", "nope-1"]);
      expect(Object.fromEntries(ranges)).toEqual({
        "a-1": { from: "2025-06-01", to: "2025-06-03", days: 3 },
        "c-3": { from: "2025-05-30", to: "2025-05-30", days: 1 },
      });
      expect(await store.summary()).toEqual({
        cards: 3,
        points: 6,
        from: "2025-05-30",
        to: "2025-06-03",
        sources: ["csv", "simulator", "tcgplayer"],
      });
      await db.exec("TRUNCATE price_points");
      expect(await store.summary()).toEqual({ cards: 0, points: 0, from: null, to: null, sources: [] });
    });

    it("streams every series in card order, a chunk of cards at a time", async () => {
      const all = [];
      for await (const series of store.allSeries({ cardsPerChunk: 2 })) all.push(series);
      expect(all.map((s) => [s.cardId, s.points.length])).toEqual([
        ["a-1", 3],
        ["b-2", 1],
        ["c-3", 1],
      ]);
      expect(all[0]).toEqual((await store.history(["a-1"])).get("a-1"));
      const june2 = [];
      for await (const series of store.allSeries({ from: "2025-06-02", to: "2025-06-02" })) june2.push(series.cardId);
      expect(june2).toEqual(["a-1", "b-2"]);
    });
  });
});
