import type { QuotaDecision, QuotaPolicy } from "./key-quota.js";

/** The name of the per-key quota policy in the IETF `RateLimit-Policy` / `RateLimit` headers. */
export const QUOTA_POLICY_NAME = "key";

/**
 * The response headers that describe a key's quota after a call: the de-facto `X-RateLimit-*`
 * trio (Reset in epoch seconds, as GitHub sends it) and the IETF draft's structured
 * `RateLimit-Policy` and `RateLimit`. The bucket holds `q` = perMinute + burst points and refills
 * them in `w` seconds, so the policy reads "q points per w seconds" and `r` never exceeds `q`;
 * `t` is the seconds until the bucket is full again.
 */
export function quotaHeaders(decision: QuotaDecision, policy: QuotaPolicy, nowMs: number): Array<[string, string]> {
  const secondsToFull = Math.max(0, Math.ceil((decision.resetAtMs - nowMs) / 1000));
  return [
    ["x-ratelimit-limit", String(decision.limit)],
    ["x-ratelimit-remaining", String(decision.remaining)],
    ["x-ratelimit-reset", String(Math.ceil(decision.resetAtMs / 1000))],
    ["ratelimit-policy", `"${QUOTA_POLICY_NAME}";q=${decision.limit};w=${refillSeconds(decision.limit, policy)}`],
    ["ratelimit", `"${QUOTA_POLICY_NAME}";r=${decision.remaining};t=${secondsToFull}`],
  ];
}

/** Seconds an empty bucket of `capacity` points takes to fill at `perMinute`. */
function refillSeconds(capacity: number, policy: QuotaPolicy): number {
  return Math.ceil((capacity * 60) / policy.perMinute);
}

/** Whole seconds to wait, never 0 (a client told to retry in 0 s would spin). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
