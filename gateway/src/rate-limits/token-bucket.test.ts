import { describe, expect, it } from "vitest";
import { quotaCapacity, refundTokens, takeTokens, type BucketState, type QuotaPolicy } from "./token-bucket.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** One token a second, holding 60. */
const ONE_A_SECOND: QuotaPolicy = { perMinute: 60, burst: 0 };
/** One token a second, holding 70. */
const SIXTY_PLUS_TEN: QuotaPolicy = { perMinute: 60, burst: 10 };

/** Takes `cost` at each of `times` in turn from a bucket that starts new, returning the last outcome. */
function takeAt(times: number[], cost: number, bucketPolicy: QuotaPolicy, start?: BucketState) {
  let state = start;
  let last: ReturnType<typeof takeTokens> | undefined;
  for (const nowMs of times) {
    last = takeTokens(state, { nowMs, cost, policy: bucketPolicy });
    state = last.state;
  }
  return last!;
}

describe("takeTokens", () => {
  it("starts a new bucket full: capacity is a minute's quota plus the burst", () => {
    const { decision, state } = takeTokens(undefined, { nowMs: T0, cost: 3, policy: SIXTY_PLUS_TEN });
    expect(quotaCapacity(SIXTY_PLUS_TEN)).toBe(70);
    expect(decision).toEqual({ allowed: true, limit: 70, remaining: 67, resetAtMs: T0 + 3_000, retryAfterMs: 0 });
    expect(state).toEqual({ tokens: 67, updatedAtMs: T0 });
  });

  it("refuses without taking anything when short, and says when the cost will be there", () => {
    const drained = { tokens: 0.5, updatedAtMs: T0 };
    const { decision, state } = takeTokens(drained, { nowMs: T0, cost: 3, policy: ONE_A_SECOND });
    expect(decision).toEqual({ allowed: false, limit: 60, remaining: 0, resetAtMs: T0 + 59_500, retryAfterMs: 2_500 });
    expect(state.tokens).toBe(0.5);
  });

  it("allows again exactly when retryAfterMs has passed", () => {
    const empty = { tokens: 0, updatedAtMs: T0 };
    const refused = takeTokens(empty, { nowMs: T0, cost: 2, policy: ONE_A_SECOND });
    expect(refused.decision.retryAfterMs).toBe(2_000);
    const early = takeTokens(refused.state, { nowMs: T0 + 1_999, cost: 2, policy: ONE_A_SECOND });
    expect(early.decision).toMatchObject({ allowed: false, retryAfterMs: 1 });
    const onTime = takeTokens(early.state, { nowMs: T0 + 2_000, cost: 2, policy: ONE_A_SECOND });
    expect(onTime.decision).toMatchObject({ allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  it("refills continuously, keeping fractions: 60 a minute is one token per 1000 ms", () => {
    const empty = { tokens: 0, updatedAtMs: T0 };
    expect(takeTokens(empty, { nowMs: T0 + 999, cost: 1, policy: ONE_A_SECOND }).decision.allowed).toBe(false);
    expect(takeTokens(empty, { nowMs: T0 + 1_000, cost: 1, policy: ONE_A_SECOND }).decision.allowed).toBe(true);
    // Ten reads 300 ms apart add up to 3 whole tokens, not 2.9999…
    const times = Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * 300);
    expect(takeAt(times, 0, ONE_A_SECOND, empty).decision.remaining).toBe(3);
    const fractional = takeTokens(empty, { nowMs: T0 + 250, cost: 0, policy: ONE_A_SECOND }).state;
    expect(fractional.tokens).toBe(0.25);
  });

  it("never refills past capacity, however long the bucket idles", () => {
    const { decision, state } = takeTokens(
      { tokens: 5, updatedAtMs: T0 },
      { nowMs: T0 + 86_400_000, cost: 0, policy: ONE_A_SECOND },
    );
    expect(decision).toMatchObject({ allowed: true, remaining: 60, resetAtMs: T0 + 86_400_000 });
    expect(state.tokens).toBe(60);
  });

  it("takes nothing on a peek (cost 0), even from an empty bucket", () => {
    const empty = { tokens: 0, updatedAtMs: T0 };
    const { decision, state } = takeTokens(empty, { nowMs: T0, cost: 0, policy: ONE_A_SECOND });
    expect(decision).toEqual({ allowed: true, limit: 60, remaining: 0, resetAtMs: T0 + 60_000, retryAfterMs: 0 });
    expect(state).toEqual(empty);
  });

  it("refuses a cost above capacity for good, taking nothing", () => {
    const { decision, state } = takeTokens(undefined, { nowMs: T0, cost: 71, policy: SIXTY_PLUS_TEN });
    expect(decision).toEqual({ allowed: false, limit: 70, remaining: 70, resetAtMs: T0, retryAfterMs: Infinity });
    expect(state.tokens).toBe(70);
    expect(takeTokens(undefined, { nowMs: T0, cost: 70, policy: SIXTY_PLUS_TEN }).decision.allowed).toBe(true);
  });

  it("dates resetAtMs to when the bucket is full again, now when it already is", () => {
    expect(takeTokens(undefined, { nowMs: T0, cost: 0, policy: ONE_A_SECOND }).decision.resetAtMs).toBe(T0);
    const half = { tokens: 30.5, updatedAtMs: T0 };
    expect(takeTokens(half, { nowMs: T0, cost: 0, policy: ONE_A_SECOND }).decision.resetAtMs).toBe(T0 + 29_500);
  });

  it("uses the policy of the call: a lower capacity caps what the bucket held", () => {
    const full = { tokens: 70, updatedAtMs: T0 };
    const { decision } = takeTokens(full, { nowMs: T0, cost: 1, policy: { perMinute: 5, burst: 0 } });
    expect(decision).toMatchObject({ allowed: true, limit: 5, remaining: 4 });
  });

  it("does not refill twice when the clock steps back", () => {
    const state = takeTokens({ tokens: 0, updatedAtMs: T0 }, { nowMs: T0 - 5_000, cost: 0, policy: ONE_A_SECOND });
    expect(state.state).toEqual({ tokens: 0, updatedAtMs: T0 });
    expect(takeTokens(state.state, { nowMs: T0 + 1_000, cost: 1, policy: ONE_A_SECOND }).decision.allowed).toBe(true);
  });
});

describe("refundTokens", () => {
  it("gives tokens back, on top of what refilled meanwhile", () => {
    const state = refundTokens({ tokens: 1, updatedAtMs: T0 }, { nowMs: T0 + 500, cost: 3, policy: ONE_A_SECOND });
    expect(state).toEqual({ tokens: 4.5, updatedAtMs: T0 + 500 });
  });

  it("caps at capacity", () => {
    expect(refundTokens({ tokens: 58, updatedAtMs: T0 }, { nowMs: T0, cost: 5, policy: ONE_A_SECOND }).tokens).toBe(60);
    expect(refundTokens(undefined, { nowMs: T0, cost: 5, policy: ONE_A_SECOND }).tokens).toBe(60);
  });
});

describe("misuse", () => {
  it.each([
    [-1, ONE_A_SECOND, /cost must be a non-negative integer; got -1/],
    [1.5, ONE_A_SECOND, /cost must be a non-negative integer; got 1.5/],
    [Number.NaN, ONE_A_SECOND, /cost must be a non-negative integer; got NaN/],
    [1, { perMinute: 0, burst: 5 }, /perMinute must be a finite number above 0; got 0/],
    [1, { perMinute: Infinity, burst: 5 }, /perMinute must be a finite number above 0; got Infinity/],
    [1, { perMinute: 60, burst: -1 }, /burst must be a finite number of 0 or more; got -1/],
  ])("rejects cost %s with policy %j, naming the contract", (cost, badPolicy, message) => {
    expect(() => takeTokens(undefined, { nowMs: T0, cost, policy: badPolicy })).toThrow(message);
    expect(() => refundTokens(undefined, { nowMs: T0, cost, policy: badPolicy })).toThrow(message);
  });
});
