/** Options every provider client accepts; the HTTP behaviour they tune is described in docs/providers.md. */
export interface ProviderClientOptions {
  /** Per attempt, until the whole body has arrived. @default 10_000 */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and network errors. @default 3 */
  retries?: number;
  /** Exponential backoff with full jitter: attempt n waits up to `min(maxMs, baseMs * 2^(n-1))`. @default { baseMs: 300, maxMs: 10_000 } */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Cap on a `Retry-After` wait, so one answer cannot park a batch job for an hour. @default 60_000 */
  maxRetryAfterMs?: number;
  /**
   * A `Retry-After` beyond `maxRetryAfterMs` ends the call at once (RATE_LIMITED, with its
   * `retryAfterMs`) instead of waiting the cap and asking again too early: a batch that walks many
   * sets stops there and comes back on its next run. @default false
   */
  failBeyondMaxRetryAfter?: boolean;
  /** Another fetch implementation (a proxy agent, a recorder). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Clock for dates the provider leaves out. @default () => new Date() */
  now?: () => Date;
}

export const PROVIDER_DEFAULTS = {
  timeoutMs: 10_000,
  retries: 3,
  backoff: { baseMs: 300, maxMs: 10_000 },
  maxRetryAfterMs: 60_000,
} as const;

const MAX_RETRIES = 10;
// setTimeout overflows above this and fires at once.
const MAX_TIMER_MS = 2_147_483_647;

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function fail(owner: string, contract: string, value: unknown): never {
  throw new TypeError(`${owner}: ${contract}, got ${describe(value)}`);
}

export function checkInteger(owner: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(owner, `${name} must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function checkBaseUrl(owner: string, value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    fail(owner, "baseUrl must be an absolute http(s) URL without query or fragment", value);
  }
  return value.replace(/\/+$/, "");
}

export function checkApiKey(owner: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.trim() === "" || /[\r\n]/.test(value)) {
    // Never echo the value: it is a secret even when malformed.
    throw new TypeError(`${owner}: apiKey must be a non-empty single-line string${required ? "" : " when given"}`);
  }
  return value;
}

export interface ResolvedHttpOptions {
  timeoutMs: number;
  retries: number;
  backoff: { baseMs: number; maxMs: number };
  maxRetryAfterMs: number;
  failBeyondMaxRetryAfter: boolean;
  fetch: typeof globalThis.fetch | undefined;
}

export function resolveHttpOptions(owner: string, options: ProviderClientOptions): ResolvedHttpOptions {
  const baseMs = options.backoff?.baseMs ?? PROVIDER_DEFAULTS.backoff.baseMs;
  const maxMs = options.backoff?.maxMs ?? Math.max(baseMs, PROVIDER_DEFAULTS.backoff.maxMs);
  checkInteger(owner, "backoff.baseMs", baseMs, 0, MAX_TIMER_MS);
  checkInteger(owner, "backoff.maxMs", maxMs, baseMs, MAX_TIMER_MS);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    fail(owner, "fetch must be a function", options.fetch);
  }
  return {
    timeoutMs: checkInteger(owner, "timeoutMs", options.timeoutMs ?? PROVIDER_DEFAULTS.timeoutMs, 1, MAX_TIMER_MS),
    retries: checkInteger(owner, "retries", options.retries ?? PROVIDER_DEFAULTS.retries, 0, MAX_RETRIES),
    backoff: { baseMs, maxMs },
    maxRetryAfterMs: checkInteger(
      owner,
      "maxRetryAfterMs",
      options.maxRetryAfterMs ?? PROVIDER_DEFAULTS.maxRetryAfterMs,
      0,
      MAX_TIMER_MS,
    ),
    failBeyondMaxRetryAfter: options.failBeyondMaxRetryAfter === true,
    fetch: options.fetch,
  };
}

/** `YYYY-MM-DD` of an instant, in UTC, because provider dates are UTC days. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
