/**
 * The keys service's internal HTTP routes, called by the gateway only and signed as subgraph
 * requests are (audience `keys`, anonymous identity, `POST`, the route's path, the exact body), so a
 * signature for one route or for `/graphql` is refused by another. Not part of the public API.
 *
 * POST VERIFY_ROUTE   body `{"secretHash": "<sha256 hex>"}`
 *   → 200 `{"key": VerifiedApiKey | null}` (null: unknown, revoked, expired, or a rotated-out
 *     secret past its grace period)
 * POST USAGE_ROUTE    body `{"used": [{"keyId": "key_…", "at": "<ISO>"}]}` → 204
 *   (lastUsedAt, written in one statement per batch)
 */
export const API_KEY_VERIFY_ROUTE = "/internal/api-keys/verify";
export const API_KEY_USAGE_ROUTE = "/internal/api-keys/usage";
/** Most usages one POST to the usage route may carry; the gateway sends more in several. */
export const MAX_USAGES_PER_BATCH = 10_000;

/** What the gateway needs to know of a verified key. */
export interface VerifiedApiKey {
  keyId: string;
  scopes: string[];
  rateLimitPerMinute: number;
  /**
   * When this secret stops being valid on its own (the key's expiry, or the end of a rotation's
   * grace period), ISO 8601; null when it does not. Caches must not keep it past this.
   */
  validUntil: string | null;
}

export interface ApiKeyUsage {
  keyId: string;
  at: string;
}
