import {
  API_KEY_SCOPES,
  isApiKeyScope,
  pokewatchError,
  type ApiKeyEnvironment,
  type ApiKeyScope,
} from "@pokewatch/kit";

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
  environment?: "live" | "test";
}

/** A create input once checked: what gets written. */
export interface ValidApiKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  rateLimitPerMinute: number;
  environment: ApiKeyEnvironment;
}

export const MAX_NAME_LENGTH = 100;
export const MAX_RATE_LIMIT_PER_MINUTE = 100_000;

const invalid = (field: string, message: string) =>
  pokewatchError("BAD_USER_INPUT", `${field} ${message}`, { extensions: { argument: `input.${field}` } });

export function isValidRateLimit(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_RATE_LIMIT_PER_MINUTE;
}

/**
 * Code points a name may not hold: C0 and C1 controls and DEL (terminal escapes, fake line breaks in
 * `pnpm keys list`), and the bidirectional overrides and isolates that reorder what a table shows.
 */
const isForbiddenInName = (code: number) =>
  code <= 0x1f ||
  (code >= 0x7f && code <= 0x9f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

function validName(name: unknown): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  // Counted in characters, as PostgreSQL's length() in the table's CHECK counts them.
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw invalid("name", `must be 1 to ${MAX_NAME_LENGTH} characters (trimmed); got ${length}`);
  }
  for (let i = 0; i < trimmed.length; i++) {
    const code = trimmed.charCodeAt(i);
    if (isForbiddenInName(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      throw invalid("name", `must not contain control or bidirectional formatting characters; found U+${hex}`);
    }
  }
  return trimmed;
}

function validScopes(scopes: unknown): ApiKeyScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw invalid("scopes", `must name at least one of ${API_KEY_SCOPES.join(", ")}`);
  }
  const unknown = (scopes as unknown[]).find((scope) => typeof scope !== "string" || !isApiKeyScope(scope));
  if (unknown !== undefined) {
    throw invalid("scopes", `must each be one of ${API_KEY_SCOPES.join(", ")}; got ${JSON.stringify(unknown)}`);
  }
  return [...new Set(scopes as ApiKeyScope[])];
}

function validExpiry(expiresAt: Date | null | undefined, now: Date): Date | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw invalid("expiresAt", "must be a valid instant");
  }
  if (expiresAt <= now) {
    throw invalid("expiresAt", `must be in the future; got ${expiresAt.toISOString()}, now is ${now.toISOString()}`);
  }
  return expiresAt;
}

function validRateLimit(value: number | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!isValidRateLimit(value)) {
    throw invalid("rateLimitPerMinute", `must be a whole number from 1 to ${MAX_RATE_LIMIT_PER_MINUTE}; got ${value}`);
  }
  return value;
}

function validEnvironment(environment: unknown): ApiKeyEnvironment {
  if (environment === undefined || environment === "live" || environment === "test") return environment ?? "live";
  throw invalid("environment", `must be "live" or "test"; got ${JSON.stringify(environment)}`);
}

/** Checks every field of a new key; each failure is a BAD_USER_INPUT naming the field. */
export function validateCreateApiKeyInput(
  input: CreateApiKeyInput,
  { now, defaultRateLimitPerMinute }: { now: Date; defaultRateLimitPerMinute: number },
): ValidApiKeyInput {
  return {
    name: validName(input.name),
    scopes: validScopes(input.scopes),
    expiresAt: validExpiry(input.expiresAt, now),
    rateLimitPerMinute: validRateLimit(input.rateLimitPerMinute, defaultRateLimitPerMinute),
    environment: validEnvironment(input.environment),
  };
}
