import { hashApiKeySecret, type VerifiedApiKey } from "@pokewatch/kit";
import { LRUCache } from "lru-cache";
import type { KeysServiceClient } from "./keys-service-client.js";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ApiKeyVerifierOptions {
  client: Pick<KeysServiceClient, "verify">;
  /** How long a verified key is trusted without asking again; bounds revocation without Redis. @default 30_000 */
  ttlMs?: number;
  /** How long an unknown secret is remembered as unknown. @default 5_000 */
  negativeTtlMs?: number;
  /** @default 100_000 */
  maxEntries?: number;
  /** @default Date.now */
  clock?: Clock;
}

export interface ApiKeyVerifierStats {
  hits: number;
  misses: number;
  entries: number;
}

export interface ApiKeyVerifier {
  /** The key a well-formed secret belongs to, or null. Throws KeysServiceUnavailableError. */
  verify(secret: string): Promise<VerifiedApiKey | null>;
  /** Drops every cached verification of this key (revoked or rotated elsewhere). */
  forgetKey(keyId: string): void;
  stats(): ApiKeyVerifierStats;
}

interface Entry {
  key: VerifiedApiKey | null;
  expiresAt: number;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0; got ${value}`);
  return value;
}

/**
 * Verifies secrets through the keys service behind an in-process LRU keyed by the secret's SHA-256
 * (the secret itself is never kept). A known key is trusted until min(ttl, validUntil); an unknown
 * one is remembered briefly so a flood of bad keys does not reach the keys service.
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const { client, clock = systemClock } = options;
  const ttlMs = positive("ttlMs", options.ttlMs ?? 30_000);
  const negativeTtlMs = positive("negativeTtlMs", options.negativeTtlMs ?? 5_000);
  const maxEntries = positive("maxEntries", options.maxEntries ?? 100_000);

  const hashesByKeyId = new Map<string, Set<string>>();
  const unindex = (hash: string, entry: Entry) => {
    const keyId = entry.key?.keyId;
    if (keyId === undefined) return;
    const hashes = hashesByKeyId.get(keyId);
    hashes?.delete(hash);
    if (hashes?.size === 0) hashesByKeyId.delete(keyId);
  };
  const cache = new LRUCache<string, Entry>({ max: maxEntries, dispose: (entry, hash) => unindex(hash, entry) });
  const inFlight = new Map<string, Promise<VerifiedApiKey | null>>();
  // Bumped by forgetKey: an answer fetched before a revocation must not be cached after it.
  let epoch = 0;
  let hits = 0;
  let misses = 0;

  function remember(hash: string, key: VerifiedApiKey | null): void {
    const now = clock.now();
    let expiresAt = now + (key ? ttlMs : negativeTtlMs);
    if (key?.validUntil) expiresAt = Math.min(expiresAt, Date.parse(key.validUntil));
    if (!(expiresAt > now)) return;
    cache.set(hash, { key, expiresAt });
    if (key) {
      const hashes = hashesByKeyId.get(key.keyId) ?? new Set<string>();
      hashes.add(hash);
      hashesByKeyId.set(key.keyId, hashes);
    }
  }

  function fetchKey(hash: string, digest: Buffer): Promise<VerifiedApiKey | null> {
    const startedAt = epoch;
    const call = client
      .verify(digest)
      .then((key) => {
        if (epoch === startedAt) remember(hash, key);
        return key;
      })
      .finally(() => inFlight.delete(hash));
    inFlight.set(hash, call);
    return call;
  }

  return {
    verify(secret) {
      const digest = hashApiKeySecret(secret);
      const hash = digest.toString("hex");
      const entry = cache.get(hash);
      if (entry !== undefined) {
        if (entry.expiresAt > clock.now()) {
          hits += 1;
          return Promise.resolve(entry.key);
        }
        cache.delete(hash);
      }
      misses += 1;
      return inFlight.get(hash) ?? fetchKey(hash, digest);
    },
    forgetKey(keyId) {
      epoch += 1;
      for (const hash of [...(hashesByKeyId.get(keyId) ?? [])]) cache.delete(hash);
      hashesByKeyId.delete(keyId);
    },
    stats: () => ({ hits, misses, entries: cache.size }),
  };
}
