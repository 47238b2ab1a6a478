import { timingSafeEqual } from "node:crypto";
import type { VerifiedApiKey } from "@pokewatch/kit";
import { statusOf } from "./api-key-record.js";

/** What verifying needs of a key: both hashes and everything that ends a secret's validity. */
export interface SecretRow {
  id: string;
  scopes: string[];
  rate_limit_per_minute: number;
  secret_hash: Uint8Array;
  previous_secret_hash: Uint8Array | null;
  previous_secret_valid_until: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export const SECRET_COLUMNS =
  "id, scopes, rate_limit_per_minute, secret_hash, previous_secret_hash, previous_secret_valid_until, expires_at, revoked_at";

/** Constant-time: the index found the row; this confirms the hash without leaking where bytes differ. */
export const sameHash = (stored: Uint8Array | null, presented: Buffer) =>
  stored !== null && stored.length === presented.length && timingSafeEqual(stored, presented);

/** What the gateway learns of a row the presented hash selected; null when it must refuse it. */
export function verified(row: SecretRow, presented: Buffer, now: Date): VerifiedApiKey | null {
  if (statusOf(row, now) !== "ACTIVE") return null;
  let validUntil = row.expires_at;
  if (!sameHash(row.secret_hash, presented)) {
    const graceEnd = row.previous_secret_valid_until;
    if (!sameHash(row.previous_secret_hash, presented) || !graceEnd || graceEnd <= now) return null;
    if (!validUntil || graceEnd < validUntil) validUntil = graceEnd;
  }
  return {
    keyId: row.id,
    scopes: row.scopes,
    rateLimitPerMinute: row.rate_limit_per_minute,
    validUntil: validUntil?.toISOString() ?? null,
  };
}
