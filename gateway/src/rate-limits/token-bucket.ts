/**
 * Token-bucket arithmetic for the per-key request quota: pure, with no clock or I/O of its own.
 * The Redis store runs the same steps in Lua (`QUOTA_LUA` in key-quota.ts); keep the two in step.
 */

/** How fast a key's bucket refills and how much it holds beyond that. */
export interface QuotaPolicy {
  /** Tokens added per minute, continuously. */
  perMinute: number;
  /** Tokens the bucket holds on top of a minute's worth. */
  burst: number;
}

/** The answer to one `take`, with what a response's rate-limit headers need. */
export interface QuotaDecision {
  allowed: boolean;
  /** Bucket capacity: perMinute + burst. */
  limit: number;
  /** Whole tokens left after this call (floor, ≥ 0). */
  remaining: number;
  /** Epoch ms at which the bucket will be full again (now when already full). */
  resetAtMs: number;
  /** Refused: ms until `cost` tokens will be there (ceil to whole ms). Allowed: 0. */
  retryAfterMs: number;
}

/** A bucket as last written: its tokens (fractional) at `updatedAtMs`. No state means full. */
export interface BucketState {
  tokens: number;
  updatedAtMs: number;
}

/** One call against a bucket at `nowMs`. */
export interface BucketInput {
  nowMs: number;
  /** Non-negative integer; 0 reads the bucket without taking anything. */
  cost: number;
  policy: QuotaPolicy;
}

/** A bucket after a call, and what the caller is told. */
export interface BucketOutcome {
  state: BucketState;
  decision: QuotaDecision;
}

const MS_PER_MINUTE = 60_000;
// Tokens and ms are kept to a millionth, so sums of refills land exactly on whole tokens instead of
// 0.9999999…, and the Lua copy (which stores numbers as 14-digit strings) computes the same values.
const RESOLUTION = 1e6;

function snap(value: number): number {
  return Math.floor(value * RESOLUTION + 0.5) / RESOLUTION;
}

/** The most tokens a bucket under `policy` holds: a minute's quota plus the burst allowance. */
export function quotaCapacity(policy: QuotaPolicy): number {
  return policy.perMinute + policy.burst;
}

/** Throws a RangeError that names the contract when a policy or cost cannot be metered. */
export function assertQuotaArguments(cost: number, policy: QuotaPolicy): void {
  if (!Number.isFinite(policy.perMinute) || policy.perMinute <= 0) {
    throw new RangeError(`quota policy perMinute must be a finite number above 0; got ${policy.perMinute}`);
  }
  if (!Number.isFinite(policy.burst) || policy.burst < 0) {
    throw new RangeError(`quota policy burst must be a finite number of 0 or more; got ${policy.burst}`);
  }
  if (!Number.isSafeInteger(cost) || cost < 0) {
    throw new RangeError(`quota cost must be a non-negative integer; got ${cost}`);
  }
}

/** Whole ms until `tokens` more have refilled. */
function msToRefill(tokens: number, policy: QuotaPolicy): number {
  return Math.ceil(snap((tokens * MS_PER_MINUTE) / policy.perMinute));
}

/** The bucket's tokens at `nowMs`: refilled since its last write, capped at capacity. */
function refill(state: BucketState | undefined, nowMs: number, policy: QuotaPolicy): BucketState {
  const capacity = quotaCapacity(policy);
  if (!state) return { tokens: capacity, updatedAtMs: nowMs };
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = snap(Math.min(capacity, state.tokens + (elapsedMs * policy.perMinute) / MS_PER_MINUTE));
  // A clock that steps back must not refill the same interval twice.
  return { tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

function decide(tokens: number, allowed: boolean, retryAfterMs: number, input: BucketInput): QuotaDecision {
  const limit = quotaCapacity(input.policy);
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetAtMs: input.nowMs + msToRefill(limit - tokens, input.policy),
    retryAfterMs,
  };
}

/**
 * Takes `cost` tokens if the bucket holds them; otherwise takes nothing and says when it will.
 * A cost above capacity can never be met: refused with `retryAfterMs: Infinity`.
 */
export function takeTokens(state: BucketState | undefined, input: BucketInput): BucketOutcome {
  assertQuotaArguments(input.cost, input.policy);
  const current = refill(state, input.nowMs, input.policy);
  if (input.cost > current.tokens) {
    const retryAfterMs =
      input.cost > quotaCapacity(input.policy) ? Infinity : msToRefill(input.cost - current.tokens, input.policy);
    return { state: current, decision: decide(current.tokens, false, retryAfterMs, input) };
  }
  const next = { tokens: current.tokens - input.cost, updatedAtMs: current.updatedAtMs };
  return { state: next, decision: decide(next.tokens, true, 0, input) };
}

/** Gives back `cost` tokens an operation took but did not use, capped at capacity. */
export function refundTokens(state: BucketState | undefined, input: BucketInput): BucketState {
  assertQuotaArguments(input.cost, input.policy);
  const current = refill(state, input.nowMs, input.policy);
  return {
    tokens: Math.min(quotaCapacity(input.policy), current.tokens + input.cost),
    updatedAtMs: current.updatedAtMs,
  };
}
