import { randomUUID } from "node:crypto";
import { silentLogger } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { createFieldLimitCounter, type FieldLimitCall } from "./field-limit-counter.js";

const cards: FieldLimitCall = { coordinate: "Query.cards", rule: { limit: 2, duration: 60 } };
const prices: FieldLimitCall = { coordinate: "Query.fairPrices", rule: { limit: 5, duration: 30 } };
const newKey = () => `key_${randomUUID()}`;
const counter = () => createFieldLimitCounter({ logger: silentLogger() });

describe("createFieldLimitCounter (in memory)", () => {
  it("allows a field's limit of calls per key, then names the field, its rule and the wait", async () => {
    const limits = counter();
    const key = newKey();
    expect(await limits.consume(key, [cards])).toMatchObject({ allowed: true });
    expect(await limits.consume(key, [cards])).toMatchObject({ allowed: true });

    const refused = await limits.consume(key, [prices, cards]);

    expect(refused).toMatchObject({ allowed: false, coordinate: "Query.cards", rule: { limit: 2, duration: 60 } });
    const { retryAfterMs } = refused as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("keeps a count per key and per field, anonymous callers sharing one", async () => {
    const limits = counter();
    const key = newKey();
    expect(await limits.consume(key, [cards, cards])).toMatchObject({ allowed: true });
    expect(await limits.consume(key, [prices, prices, prices, prices, prices])).toMatchObject({ allowed: true });
    expect(await limits.consume(newKey(), [cards, cards])).toMatchObject({ allowed: true });

    expect(await limits.consume(null, [cards, cards])).toMatchObject({ allowed: true });
    expect(await limits.consume(null, [cards])).toMatchObject({ allowed: false, coordinate: "Query.cards" });
  });

  it("counts each selection, so aliases of one field add up", async () => {
    const limits = counter();
    expect(await limits.consume(newKey(), [cards, cards, cards])).toMatchObject({
      allowed: false,
      coordinate: "Query.cards",
    });
  });

  it("gives back every point a refused consume took, the refused one too", async () => {
    const limits = counter();
    const key = newKey();
    expect(await limits.consume(key, [cards, cards])).toMatchObject({ allowed: true });

    // Four fairPrices calls are taken before cards refuses; none of them may stay counted.
    for (let i = 0; i < 3; i += 1) {
      const refused = await limits.consume(key, [prices, prices, prices, prices, cards]);
      expect(refused).toMatchObject({ allowed: false, coordinate: "Query.cards" });
    }

    expect(await limits.consume(key, [prices, prices, prices, prices, prices])).toMatchObject({ allowed: true });
    expect(await limits.consume(key, [prices])).toMatchObject({ allowed: false, coordinate: "Query.fairPrices" });
  });

  it("refunds what an allowed consume took, when something else refused the operation", async () => {
    const limits = counter();
    const key = newKey();
    const first = await limits.consume(key, [cards, prices, cards]);
    if (!first.allowed) throw new Error("expected the first consume to pass");
    expect(first.taken.calls).toEqual([cards, prices, cards]);

    await limits.refund(first.taken);

    expect(await limits.consume(key, [cards, cards])).toMatchObject({ allowed: true });
    expect(await limits.consume(key, [cards])).toMatchObject({ allowed: false });
  });

  it("allows an operation with no limited fields, taking nothing", async () => {
    expect(await counter().consume(newKey(), [])).toEqual({
      allowed: true,
      taken: expect.objectContaining({ calls: [] }),
    });
  });

  it("shares a limiter between fields with the same rule, but never their counts", async () => {
    const limits = counter();
    const key = newKey();
    const sets: FieldLimitCall = { coordinate: "Query.sets", rule: { limit: 2, duration: 60 } };
    expect(await limits.consume(key, [cards, cards, sets, sets])).toMatchObject({ allowed: true });
    expect(await limits.consume(key, [sets])).toMatchObject({ allowed: false, coordinate: "Query.sets" });
  });
});
