import ky, { HTTPError, TimeoutError } from "ky";
import { ProviderError, ResponseShapeError, type ProviderErrorCode } from "./provider-error.js";
import type { ResolvedHttpOptions } from "./provider-options.js";
import { createRetryWait, parseRetryAfter, type RetryWaitOptions } from "./retry-wait.js";

export { parseRetryAfter };

export type SearchParams = Record<string, string | number | boolean | undefined>;

export interface ProviderHttpOptions extends ResolvedHttpOptions, RetryWaitOptions {
  /** Names the provider in errors and PricePoint sources, e.g. `pokemontcg.io`. */
  provider: string;
  /** Without a trailing slash. */
  baseUrl: string;
  headers: Record<string, string>;
  /** Values scrubbed from every error message (API keys). */
  secrets: string[];
}

export interface ProviderHttp {
  /** GET `baseUrl + path` and hand the parsed JSON to `parse`, which throws ResponseShapeError on a wrong shape. */
  getJson<T>(path: string, searchParams: SearchParams, parse: (body: unknown) => T): Promise<T>;
}

const RETRY_STATUS_CODES = [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];
const BODY_EXCERPT_CHARS = 200;

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const waitBeforeRetry = createRetryWait(options);
  const client = ky.create({
    timeout: options.timeoutMs,
    // ky's timeout ends when the headers arrive; reading the body inside the timed call keeps a stalled body within timeoutMs.
    fetch: async (input, init) => bufferBody(await baseFetch(input, init)),
    headers: { accept: "application/json", ...options.headers },
    // ky decides whether to retry; the wait is ours (beforeRetry), so it can be observed and tested.
    retry: {
      limit: options.retries,
      statusCodes: RETRY_STATUS_CODES,
      afterStatusCodes: [],
      delay: () => 0,
      jitter: false,
      retryOnTimeout: true,
    },
    hooks: { beforeRetry: [({ error, retryCount }) => waitBeforeRetry(retryCount, error)] },
  });
  const redact = (text: string) => options.secrets.reduce((out, secret) => out.split(secret).join("[redacted]"), text);

  return {
    async getJson(path, searchParams, parse) {
      let attempts = 0;
      const label = `${options.provider} GET ${path}`;
      const fail = (code: ProviderErrorCode, detail: string, status: number | null, retryAfterMs?: number | null) =>
        new ProviderError(code, redact(`${label} failed (${code}): ${detail}; ${attempts} attempt(s)`), {
          provider: options.provider,
          status,
          attempts,
          retryAfterMs,
        });
      let response: Response;
      try {
        response = await client.get(options.baseUrl + path, {
          searchParams: definedParams(searchParams),
          hooks: { beforeRequest: [() => void attempts++] },
        });
      } catch (error) {
        if (error instanceof HTTPError) {
          const { status } = error.response;
          const excerpt = await bodyExcerpt(error.response);
          const retryAfterMs = parseRetryAfter(error.response.headers.get("retry-after"), Date.now());
          throw fail(codeForStatus(status), `HTTP ${status}${excerpt}`, status, retryAfterMs);
        }
        if (error instanceof TimeoutError) {
          throw fail("TIMEOUT", `no complete response within ${options.timeoutMs} ms`, null);
        }
        if (error instanceof TypeError) throw fail("NETWORK", networkReason(error), null);
        throw error;
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw fail("BAD_RESPONSE", `body is not JSON${excerptOf(text)}`, response.status);
      }
      try {
        return parse(body);
      } catch (error) {
        if (error instanceof ResponseShapeError) throw fail(error.code, error.message, response.status);
        throw error;
      }
    },
  };
}

export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "UPSTREAM";
  return "BAD_REQUEST";
}

function definedParams(params: SearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}

async function bufferBody(response: Response): Promise<Response> {
  if (response.body === null) return response;
  const body = await response.arrayBuffer();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function bodyExcerpt(response: Response): Promise<string> {
  try {
    return excerptOf(await response.text());
  } catch {
    return "";
  }
}

function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "";
  return `: ${flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}…` : flat}`;
}

/** undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function networkReason(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const message = typeof cause?.message === "string" ? cause.message : error.message;
  return code ? `${code} (${message})` : message;
}
