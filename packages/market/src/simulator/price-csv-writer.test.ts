import { PassThrough, Writable } from "node:stream";
import { text } from "node:stream/consumers";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { PricePoint } from "../prices/price-point.js";
import { PRICE_CSV_HEADER, formatPriceCsvRow, writePriceCsv } from "./price-csv-writer.js";
import { createMarketSimulator } from "./simulate-market.js";

const point = (cardId: string, i: number, extra: Partial<PricePoint> = {}): PricePoint => ({
  cardId,
  date: `2025-06-${String(1 + (i % 28)).padStart(2, "0")}`,
  market: 1 + i / 100,
  low: 0.5,
  high: 1234.56,
  volume: i % 5,
  source: "simulator",
  ...extra,
});

async function written(points: Iterable<PricePoint | PricePoint[]>): Promise<{ body: string; rows: number }> {
  const out = new PassThrough();
  const [body, rows] = await Promise.all([text(out), writePriceCsv(points, out)]);
  return { body, rows };
}

describe("writePriceCsv", () => {
  it("writes the shared header, then one row per point, in USD", async () => {
    const { body, rows } = await written([point("sv8-1", 0), point("sv8-1", 1)]);
    expect(rows).toBe(2);
    expect(body.split("\n")).toEqual([
      PRICE_CSV_HEADER,
      "sv8-1,2025-06-01,1.00,0.50,1234.56,0,simulator,USD",
      "sv8-1,2025-06-02,1.01,0.50,1234.56,1,simulator,USD",
      "",
    ]);
    expect(PRICE_CSV_HEADER.split(",")).toEqual(
      expect.arrayContaining(["card_id", "date", "market_price", "currency", "low_price", "high_price", "volume"]),
    );
  });

  it("round-trips simulated points through csv-parse", async () => {
    const simulator = createMarketSimulator({ cards: 30, days: 20, seed: 5 });
    const series = simulator.cards.map((_, i) => simulator.simulateCardSeries(i));
    const { body, rows } = await written(series);
    expect(rows).toBe(600);
    const records = parse<Record<string, string>>(body, { columns: true });
    const back: PricePoint[] = records.map((r) => ({
      cardId: r.card_id!,
      date: r.date!,
      market: Number(r.market_price),
      low: r.low_price === "" ? null : Number(r.low_price),
      high: r.high_price === "" ? null : Number(r.high_price),
      volume: r.volume === "" ? null : Number(r.volume),
      source: r.source!,
    }));
    expect(back).toEqual(series.flat());
    expect(records.every((r) => r.currency === "USD")).toBe(true);
  });

  it("writes whole cents with two decimals and finer prices exactly, never rounding", () => {
    const row = (market: number) => formatPriceCsvRow(point("x", 0, { market })).split(",")[2];
    expect([0.01, 0.1, 7, 19.99, 123456.78].map(row)).toEqual(["0.01", "0.10", "7.00", "19.99", "123456.78"]);
    expect([0.1 + 0.2, 0.125, 1e-7].map(row)).toEqual(["0.30000000000000004", "0.125", "1e-7"]);
  });

  it("quotes awkward text and leaves unknown numbers empty", async () => {
    const awkward = point('odd,"id"\n', 3, { low: null, high: null, volume: null, source: "a,b" });
    const { body } = await written([awkward]);
    const [record] = parse<Record<string, string>>(body, { columns: true });
    expect(record).toMatchObject({ card_id: 'odd,"id"\n', low_price: "", high_price: "", volume: "", source: "a,b" });
  });

  it("reads async sources and can leave the stream open and the header out", async () => {
    async function* source() {
      yield await Promise.resolve(point("a", 0));
      yield [point("b", 1), point("c", 2)];
    }
    const out = new PassThrough();
    const rows = await writePriceCsv(source(), out, { header: false, end: false });
    out.end("tail\n");
    expect(rows).toBe(3);
    expect((await text(out)).split("\n").map((line) => line.split(",")[0])).toEqual(["a", "b", "c", "tail", ""]);
  });

  it("waits for a slow reader instead of buffering everything", async () => {
    let pulled = 0;
    let rowsWritten = 0;
    let widestGap = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        widestGap = Math.max(widestGap, pulled - rowsWritten);
        rowsWritten += chunk.toString().split("\n").length - 1;
        setImmediate(done);
      },
    });
    function* many() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield point("sv8-1", i);
      }
    }
    const rows = await writePriceCsv(many(), slow);
    expect(rows).toBe(100_000);
    expect(rowsWritten).toBe(100_001);
    // A few 64 KiB chunks in flight at most (~1,300 rows each), never the whole input.
    expect(widestGap).toBeLessThan(10_000);
  });

  it("rejects when the destination fails", async () => {
    const broken = new Writable({ write: (_chunk, _encoding, done) => done(new Error("disk full")) });
    await expect(writePriceCsv([point("a", 0)], broken)).rejects.toThrow("disk full");
  });
});
