import type { Counter } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { dealsRankerHarness } from "../testing/deals-ranker-harness.js";
import type { DealsRanker } from "./deals-ranker.js";
import { createMemoryDealsRankingStore } from "./deals-ranking-store.js";

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function count(counter: Counter<string>, outcome: string): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const open: DealsRanker[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const harness = (...args: Parameters<typeof dealsRankerHarness>) => {
  const made = dealsRankerHarness(...args);
  open.push(made.ranker);
  return made;
};

describe("createDealsRanker", () => {
  it("prices the catalog once for many calls, concurrent first calls included", async () => {
    const { ranker, computations, metrics, state } = harness();
    const first = await Promise.all(Array.from({ length: 6 }, () => ranker.deals("BUY", null, 20)));
    expect(computations).toEqual(["mv_1@2025-03-31"]);
    expect(first.every((deals) => deals.length === 3 && deals.every((d) => !d.cached))).toBe(true);
    for (let i = 0; i < 20; i++) await ranker.deals(i % 2 ? "BUY" : "SELL", i % 3 ? null : "sv2", 5);
    expect(computations).toHaveLength(1);
    const again = await ranker.deals("BUY", "sv2", 20);
    expect(again.map((d) => [d.cardId, d.cached, d.modelVersionId])).toEqual([["sv2-1", true, "mv_1"]]);
    expect(await count(metrics.dealsRankings, "computed")).toBe(1);
    expect(state.leases).toBe(0);
  });

  it("recomputes for a newly promoted model, answering from the previous ranking meanwhile", async () => {
    const { ranker, state, computations } = harness();
    expect((await ranker.deals("BUY", null, 20)).map((d) => d.modelVersionId)).toEqual(["mv_1", "mv_1", "mv_1"]);
    const held = deferred();
    state.gate = held.promise;
    state.model = "mv_2";
    // The new ranking is being computed: the previous one answers, naming its model.
    const meanwhile = await ranker.deals("BUY", null, 20);
    expect(meanwhile.map((d) => d.modelVersionId)).toEqual(["mv_1", "mv_1", "mv_1"]);
    held.resolve();
    await ranker.idle();
    expect(await ranker.deals("BUY", null, 20)).toEqual([]);
    expect((await ranker.deals("SELL", null, 20)).map((d) => d.modelVersionId)).toEqual(["mv_2", "mv_2", "mv_2"]);
    expect(computations).toEqual(["mv_1@2025-03-31", "mv_2@2025-03-31"]);
  });

  it("recomputes when the latest price day changes, once the day is read again", async () => {
    const { ranker, state, computations } = harness({ pricesVersionCheckMs: 5_000 });
    await ranker.deals("BUY", null, 20);
    state.day = "2025-04-01";
    state.now += 4_999;
    await ranker.deals("BUY", null, 20);
    expect(computations).toHaveLength(1);
    state.now += 1;
    await ranker.deals("BUY", null, 20);
    await ranker.idle();
    const deals = await ranker.deals("BUY", null, 20);
    expect(computations).toEqual(["mv_1@2025-03-31", "mv_1@2025-04-01"]);
    expect(deals.every((d) => d.date === "2025-04-01")).toBe(true);
  });

  it("recomputes a ranking once it is maxAgeMs old, even for the same model and day", async () => {
    const { ranker, state, computations } = harness({ maxAgeMs: 60_000 });
    await ranker.deals("BUY", null, 20);
    state.now += 59_999;
    await ranker.deals("BUY", null, 20);
    expect(computations).toHaveLength(1);
    state.now += 1;
    await ranker.deals("BUY", null, 20);
    await ranker.idle();
    expect(computations).toHaveLength(2);
  });

  it("answers SERVICE_UNAVAILABLE with retryAfter when no ranking is ready in time, and serves it once computed", async () => {
    const { ranker, state, computations } = harness({ waitMs: 50 });
    const held = deferred();
    state.gate = held.promise;
    const started = performance.now();
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({
      extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: 1 },
      message: expect.stringContaining("is being computed") as unknown,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE" } });
    held.resolve();
    await ranker.idle();
    expect(await ranker.deals("BUY", null, 20)).toHaveLength(3);
    expect(computations).toHaveLength(1);
  });

  it("answers SERVICE_UNAVAILABLE when the computation fails, logs it, and computes again on the next call", async () => {
    const { ranker, state, computations, metrics, lines } = harness();
    state.failNext = true;
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({
      extensions: { code: "SERVICE_UNAVAILABLE" },
      message: expect.stringContaining("could not be computed") as unknown,
    });
    expect(lines().some((line) => line.includes("deals ranking failed"))).toBe(true);
    expect(await count(metrics.dealsRankings, "failed")).toBe(1);
    expect(await ranker.deals("BUY", null, 20)).toHaveLength(3);
    expect(computations).toHaveLength(2);
  });

  it("answers MODEL_UNAVAILABLE without a production model, even with a ranking of an earlier one", async () => {
    const { ranker, state, computations } = harness();
    state.model = null;
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({ extensions: { code: "MODEL_UNAVAILABLE" } });
    state.model = "mv_1";
    await ranker.deals("BUY", null, 20);
    state.model = null;
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({ extensions: { code: "MODEL_UNAVAILABLE" } });
    expect(computations).toHaveLength(1);
  });

  it("keeps answering from the last ranking while the price day cannot be read", async () => {
    const { ranker, state } = harness();
    state.dayFails = true;
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE" } });
    state.dayFails = false;
    await ranker.deals("BUY", null, 20);
    state.dayFails = true;
    expect(await ranker.deals("BUY", null, 20)).toHaveLength(3);
  });

  it("reads a ranking another replica stored instead of computing it", async () => {
    const store = createMemoryDealsRankingStore({ now: () => 1_000_000 });
    const one = harness({ store });
    const two = harness({ store });
    expect(await one.ranker.deals("BUY", null, 20)).toHaveLength(3);
    expect(await two.ranker.deals("BUY", null, 20)).toEqual(await one.ranker.deals("BUY", null, 20));
    expect(two.computations).toEqual([]);
    expect(await count(two.metrics.dealsRankings, "shared")).toBe(1);
  });

  it("stops a computation on close and refuses later calls", async () => {
    const { ranker } = harness();
    await ranker.close();
    await expect(ranker.deals("BUY", null, 20)).rejects.toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE" } });
  });
});
