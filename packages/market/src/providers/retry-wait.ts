import { setTimeout as sleepFor } from "node:timers/promises";
import { HTTPError } from "ky";
import type { ResolvedHttpOptions } from "./provider-options.js";

export interface RetryWaitOptions {
  /** Waits out the time before a retry; tests pass a recorder to see every wait without spending it. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** The jitter draw, in [0, 1). @default Math.random */
  random?: () => number;
}

// Only these statuses say when to come back; a Retry-After on any other is ignored.
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/**
 * Milliseconds to wait before retry `retryCount` (1 for the first retry). A `Retry-After` on 429 or
 * 503 is taken as is, capped at `maxRetryAfterMs` (the server chose the time; jitter would only
 * make it early). Otherwise full jitter: `draw` of `min(maxMs, baseMs·2^(retryCount−1))`, so
 * clients that failed together do not come back together.
 */
export function retryDelayMs(
  retryCount: number,
  error: unknown,
  { backoff, maxRetryAfterMs }: Pick<ResolvedHttpOptions, "backoff" | "maxRetryAfterMs">,
  draw: number,
  nowMs: number,
): number {
  if (error instanceof HTTPError && RETRY_AFTER_STATUSES.has(error.response.status)) {
    const retryAfterMs = parseRetryAfter(error.response.headers.get("retry-after"), nowMs);
    if (retryAfterMs !== null) return Math.min(retryAfterMs, maxRetryAfterMs);
  }
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (retryCount - 1));
  // Clamped, so an odd draw can never wait past the ceiling.
  return Math.floor(ceiling * Math.min(1, Math.max(0, draw)));
}

/** The wait before each retry, for ky's `beforeRetry` hook. */
export function createRetryWait(
  options: Pick<ResolvedHttpOptions, "backoff" | "maxRetryAfterMs"> &
    Partial<Pick<ResolvedHttpOptions, "failBeyondMaxRetryAfter">> &
    RetryWaitOptions,
): (retryCount: number, error: unknown) => Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  const random = options.random ?? Math.random;
  return async (retryCount, error) => {
    // Thrown from ky's beforeRetry hook, the HTTP error ends the call as it is: no further attempt.
    if (options.failBeyondMaxRetryAfter && retryAfterBeyondCap(error, options.maxRetryAfterMs)) throw error;
    await sleep(retryDelayMs(retryCount, error, options, random(), Date.now()));
  };
}

function retryAfterBeyondCap(error: unknown, maxRetryAfterMs: number): boolean {
  if (!(error instanceof HTTPError) || !RETRY_AFTER_STATUSES.has(error.response.status)) return false;
  const retryAfterMs = parseRetryAfter(error.response.headers.get("retry-after"), Date.now());
  return retryAfterMs !== null && retryAfterMs > maxRetryAfterMs;
}

/** `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse reads "-5" as the year -5; an HTTP date always names a day and month.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
