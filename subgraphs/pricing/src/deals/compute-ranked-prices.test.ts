import { pokewatchError } from "@pokewatch/kit";
import DataLoader from "dataloader";
import { describe, expect, it } from "vitest";
import { fairPriceKeyId, type FairPriceKey, type FairPriceResult } from "../fair-prices/fair-price.js";
import type { FairPriceLoader } from "../fair-prices/fair-price-loader.js";
import { computeRankedPrices, RankingStoppedError } from "./compute-ranked-prices.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `sv1-${i}`);

function price(cardId: string): FairPriceResult {
  return {
    cardId,
    date: "2025-03-31",
    marketPrice: 10,
    marketPriceDate: "2025-03-31",
    marketPriceSource: "pokemontcg.io",
    fairPrice: 12,
    low: 11,
    high: 13,
    deviationPct: -16.67,
    signal: "BUY",
    cached: false,
    modelVersionId: "mv_x",
  };
}

/** A loader that records each batch and answers `answer(cardId)`. */
function recordingLoader(answer: (cardId: string) => FairPriceResult | Error = price) {
  const batches: string[][] = [];
  const loaderFor = (): FairPriceLoader =>
    new DataLoader<FairPriceKey, FairPriceResult, string>(
      (keys) => {
        batches.push(keys.map((key) => key.cardId));
        return Promise.resolve(keys.map((key) => answer(key.cardId)));
      },
      { cacheKeyFn: fairPriceKeyId },
    );
  return { batches, loaderFor };
}

describe("computeRankedPrices", () => {
  it("prices every card on its latest day, a chunk per batch, in the order given", async () => {
    const { batches, loaderFor } = recordingLoader();
    const prices = await computeRankedPrices({ cardIds: ids(25), loaderFor, chunkSize: 10 });
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(ids(25));
    expect(prices.map((p) => p.cardId)).toEqual(ids(25));
    expect(prices[0]).toStrictEqual({
      cardId: "sv1-0",
      date: "2025-03-31",
      marketPrice: 10,
      marketPriceDate: "2025-03-31",
      marketPriceSource: "pokemontcg.io",
      fairPrice: 12,
      low: 11,
      high: 13,
    });
  });

  it("lets other work run between chunks", async () => {
    const events: string[] = [];
    const { loaderFor } = recordingLoader((cardId) => {
      events.push(`priced ${cardId}`);
      return price(cardId);
    });
    const computing = computeRankedPrices({ cardIds: ids(3), loaderFor, chunkSize: 1 });
    // A request arriving during the computation: its I/O callback runs between two chunks.
    setImmediate(() => events.push("another request"));
    await computing;
    expect(events.indexOf("another request")).toBeGreaterThan(0);
    expect(events.indexOf("another request")).toBeLessThan(events.length - 1);
  });

  it("leaves out cards without prices, and fails on any other error", async () => {
    const noPrices = recordingLoader((cardId) =>
      cardId === "sv1-1" ? pokewatchError("NOT_FOUND", "no prices") : price(cardId),
    );
    const prices = await computeRankedPrices({ cardIds: ids(3), loaderFor: noPrices.loaderFor });
    expect(prices.map((p) => p.cardId)).toEqual(["sv1-0", "sv1-2"]);

    const broken = recordingLoader((cardId) => (cardId === "sv1-2" ? new Error("connection reset") : price(cardId)));
    await expect(computeRankedPrices({ cardIds: ids(3), loaderFor: broken.loaderFor })).rejects.toThrow(
      "connection reset",
    );
    const noModel = recordingLoader(() => pokewatchError("MODEL_UNAVAILABLE", "no model"));
    await expect(computeRankedPrices({ cardIds: ids(3), loaderFor: noModel.loaderFor })).rejects.toThrow("no model");
  });

  it("stops between chunks when asked", async () => {
    const { batches, loaderFor } = recordingLoader();
    let stop = false;
    const computing = computeRankedPrices({ cardIds: ids(30), loaderFor, chunkSize: 10, stopped: () => stop });
    stop = true;
    await expect(computing).rejects.toBeInstanceOf(RankingStoppedError);
    expect(batches).toHaveLength(1);
  });

  it.each([0, -1, 2.5, Number.NaN])("refuses a chunk size of %s", async (chunkSize) => {
    const { loaderFor } = recordingLoader();
    await expect(computeRankedPrices({ cardIds: ids(1), loaderFor, chunkSize })).rejects.toThrow(
      /chunkSize must be a whole number of cards ≥ 1; got/,
    );
  });
});
