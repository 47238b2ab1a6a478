import { pokewatchError, type Identity } from "@pokewatch/kit";
import type { ApiKeyRecord, ApiKeyStore } from "./api-key-store.js";

/** What a key hands out when it creates or rotates one: the new secret's scopes, rate and lifetime. */
export interface KeyGrant {
  scopes: readonly string[];
  rateLimitPerMinute: number;
  expiresAt: Date | null;
}

/**
 * The calling key as the database holds it now, which must be ACTIVE. The gateway's verification
 * may be cached (up to its TTL, or longer while Redis is away), so a key revoked a moment ago could
 * still be let through; every key-changing mutation asks the database again before it acts. What
 * the caller may hand out is the narrower of the two views: the scopes both name, the lower rate.
 */
export async function activeCaller(identity: Identity, apiKeys: Pick<ApiKeyStore, "findById">): Promise<ApiKeyRecord> {
  if (identity.keyId === null) {
    throw pokewatchError("UNAUTHENTICATED", "Managing keys needs an API key: send one in the x-api-key header");
  }
  const caller = await apiKeys.findById(identity.keyId);
  if (caller === null || caller.status !== "ACTIVE") {
    const state = caller === null ? "deleted" : caller.status.toLowerCase();
    throw pokewatchError(
      "UNAUTHENTICATED",
      `The calling key ${identity.keyId} is ${state}: it can no longer manage keys`,
    );
  }
  const signedRate = identity.rateLimitPerMinute ?? caller.rateLimitPerMinute;
  return {
    ...caller,
    scopes: caller.scopes.filter((scope) => identity.scopes.includes(scope)),
    rateLimitPerMinute: Math.min(caller.rateLimitPerMinute, signedRate),
  };
}

/**
 * A key never hands out more than it has, whether it creates a key or rotates one (a rotation
 * hands out a working secret for the rotated key): every scope must be the caller's own, the rate
 * no higher than the caller's, and the lifetime no longer. `action` names the mutation in messages,
 * `argument` the argument an error points at.
 */
export function assertGrantWithin(
  caller: ApiKeyRecord,
  grant: KeyGrant,
  action: string,
  argument: (field: "rateLimitPerMinute" | "expiresAt") => string,
): void {
  const lacking = grant.scopes.find((scope) => !caller.scopes.includes(scope));
  if (lacking !== undefined) {
    throw pokewatchError("FORBIDDEN", `Cannot ${action} with scope "${lacking}": the calling key does not hold it`, {
      extensions: { scope: lacking },
    });
  }
  if (grant.rateLimitPerMinute > caller.rateLimitPerMinute) {
    throw pokewatchError(
      "FORBIDDEN",
      `Cannot ${action} with rateLimitPerMinute ${grant.rateLimitPerMinute}: the calling key allows ${caller.rateLimitPerMinute}`,
      { extensions: { argument: argument("rateLimitPerMinute") } },
    );
  }
  const callerExpiry = caller.expiresAt;
  if (callerExpiry && (!grant.expiresAt || grant.expiresAt > callerExpiry)) {
    const given = grant.expiresAt ? `it expires at ${grant.expiresAt.toISOString()}` : "it never expires";
    throw pokewatchError(
      "FORBIDDEN",
      `Cannot ${action} that outlasts the calling key (${given}; the calling key expires at ${callerExpiry.toISOString()})`,
      { extensions: { argument: argument("expiresAt") } },
    );
  }
}
