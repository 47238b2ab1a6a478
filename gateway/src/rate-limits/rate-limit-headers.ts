import type { QuotaDecision, QuotaPolicy } from "./key-quota.js";

/** The name of the per-key quota policy in the IETF `RateLimit-Policy` / `RateLimit` headers. */
export const QUOTA_POLICY_NAME = "key";

/**
 * The response headers that describe a key's quota after a call: the de-facto `X-RateLimit-*`
 * trio (Reset in epoch seconds, as GitHub sends it) and the IETF draft's structured
 * `RateLimit-Policy` (quota `q` per window `w` seconds) and `RateLimit` (remaining `r`, seconds
 * `t` until the bucket is full again).
 */
export function quotaHeaders(decision: QuotaDecision, policy: QuotaPolicy, nowMs: number): Array<[string, string]> {
  const secondsToFull = Math.max(0, Math.ceil((decision.resetAtMs - nowMs) / 1000));
  return [
    ["x-ratelimit-limit", String(decision.limit)],
    ["x-ratelimit-remaining", String(decision.remaining)],
    ["x-ratelimit-reset", String(Math.ceil(decision.resetAtMs / 1000))],
    ["ratelimit-policy", `"${QUOTA_POLICY_NAME}";q=${policy.perMinute};w=60`],
    ["ratelimit", `"${QUOTA_POLICY_NAME}";r=${decision.remaining};t=${secondsToFull}`],
  ];
}

/** Whole seconds to wait, never 0 (a client told to retry in 0 s would spin). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
