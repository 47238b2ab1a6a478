/** Every way a provider call can fail, with what it means for the caller. The docs table mirrors this. */
export const PROVIDER_ERROR_CODES = {
  UNAUTHORIZED: "The provider refused the API key (HTTP 401 or 403). Not retried.",
  NOT_FOUND: "The card or set does not exist at the provider (HTTP 404). Not retried.",
  BAD_REQUEST: "The provider rejected the request (any other HTTP 4xx). Not retried.",
  RATE_LIMITED: "Still HTTP 429 after every retry; `retryAfterMs` says how long the provider asked to wait.",
  UPSTREAM: "Still HTTP 5xx after every retry.",
  TIMEOUT: "No complete response within `timeoutMs`, on every attempt.",
  NETWORK: "The connection failed (DNS, refused, reset) on every attempt.",
  BAD_RESPONSE: "HTTP 2xx, but the body is not JSON or not the documented shape. Not retried.",
} as const;

export type ProviderErrorCode = keyof typeof PROVIDER_ERROR_CODES;

export interface ProviderErrorDetails {
  provider: string;
  /** HTTP status of the last response; null when none arrived (timeout, network). */
  status: number | null;
  /** Requests sent, including the first. */
  attempts: number;
  /** From the last response's `Retry-After`, when it had one. */
  retryAfterMs?: number | null;
}

/**
 * A failed provider call. It deliberately carries no request, headers or upstream error as `cause`,
 * so logging it whole can never leak an API key.
 */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly status: number | null;
  readonly attempts: number;
  readonly retryAfterMs: number | null;

  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails) {
    super(message);
    this.name = "ProviderError";
    this.code = code;
    this.provider = details.provider;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/**
 * Thrown by response parsers, which do not know the attempt count; the HTTP layer turns it into a
 * ProviderError. NOT_FOUND is for a 200 that holds no match (an empty `data` list).
 */
export class ResponseShapeError extends Error {
  constructor(
    message: string,
    readonly code: "BAD_RESPONSE" | "NOT_FOUND" = "BAD_RESPONSE",
  ) {
    super(message);
    this.name = "ResponseShapeError";
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
