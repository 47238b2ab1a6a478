import { hashApiKeySecret, type VerifiedApiKey } from "@pokewatch/kit";
import { LRUCache } from "lru-cache";
import type { KeysServiceClient } from "./keys-service-client.js";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ApiKeyVerifierOptions {
  client: Pick<KeysServiceClient, "verify">;
  /** How long a verified key is trusted without asking again, while `announced()` holds. @default 30_000 */
  ttlMs?: number;
  /**
   * How long a verified key is trusted while `announced()` does not hold (no Redis, or its
   * subscription down): changes may then go unheard, so this bounds revocation. Never above ttlMs.
   * @default 2_000
   */
  unannouncedTtlMs?: number;
  /**
   * Whether key changes are being announced to this verifier (a live Redis subscription), asked
   * at every cache hit. @default () => true
   */
  announced?: () => boolean;
  /** How long an unknown secret is remembered as unknown. @default 5_000 */
  negativeTtlMs?: number;
  /** Known keys kept. @default 100_000 */
  maxEntries?: number;
  /** Unknown secrets remembered, apart from the known keys, so a flood of made-up keys cannot push them out. @default 10_000 */
  maxUnknownEntries?: number;
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
  /** The key of a secret verified earlier and still trusted, from the cache only; undefined otherwise. */
  cached(secret: string): VerifiedApiKey | undefined;
  /**
   * Whether this secret was verified valid before and not found invalid since, however long ago:
   * such a secret is no forgery, so the failed-auth throttle lets it through to be checked again.
   * Never a reason to accept it. Dropped when a lookup finds it invalid (or by LRU), not by forget*.
   */
  knownValid(secret: string): boolean;
  /** Drops every cached verification of this key (revoked or rotated elsewhere). */
  forgetKey(keyId: string): void;
  /** Drops everything (after missing change announcements, e.g. while Redis was away). */
  forgetAll(): void;
  stats(): ApiKeyVerifierStats;
}

interface Entry {
  key: VerifiedApiKey;
  verifiedAt: number;
  /** The key's own end (expiry, rotation grace), whatever the TTL. */
  validUntil: number;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0; got ${value}`);
  return value;
}

/**
 * Verifies secrets through the keys service behind an in-process LRU keyed by the secret's SHA-256
 * (the secret itself is never kept). A known key is trusted until min(verified + ttl, validUntil),
 * where ttl is `ttlMs` while changes are announced and `unannouncedTtlMs` otherwise — decided at
 * each hit, so a subscription that drops shortens the trust in entries already cached. An unknown
 * secret is remembered briefly, in an LRU of its own, so a flood of made-up keys neither reaches
 * the keys service twice nor pushes real keys out of the cache.
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const { client, clock = systemClock, announced = () => true } = options;
  const ttlMs = positive("ttlMs", options.ttlMs ?? 30_000);
  const unannouncedTtlMs = Math.min(ttlMs, positive("unannouncedTtlMs", options.unannouncedTtlMs ?? 2_000));
  const negativeTtlMs = positive("negativeTtlMs", options.negativeTtlMs ?? 5_000);
  const maxEntries = positive("maxEntries", options.maxEntries ?? 100_000);
  const maxUnknownEntries = positive("maxUnknownEntries", options.maxUnknownEntries ?? 10_000);

  const hashesByKeyId = new Map<string, Set<string>>();
  const unindex = (hash: string, entry: Entry) => {
    const keyId = entry.key.keyId;
    const hashes = hashesByKeyId.get(keyId);
    hashes?.delete(hash);
    if (hashes?.size === 0) hashesByKeyId.delete(keyId);
  };
  const cache = new LRUCache<string, Entry>({ max: maxEntries, dispose: (entry, hash) => unindex(hash, entry) });
  // Secret hash → when "unknown" stops being trusted.
  const unknown = new LRUCache<string, number>({ max: maxUnknownEntries });
  // Hashes of secrets found valid, kept past their trust: see knownValid.
  const provenValid = new LRUCache<string, true>({ max: maxEntries });
  const inFlight = new Map<string, Promise<VerifiedApiKey | null>>();
  // Bumped by forgetKey: an answer fetched before a revocation must not be cached after it.
  let epoch = 0;
  let hits = 0;
  let misses = 0;

  function remember(hash: string, key: VerifiedApiKey | null): void {
    const now = clock.now();
    if (!key) {
      unknown.set(hash, now + negativeTtlMs);
      provenValid.delete(hash);
      return;
    }
    provenValid.set(hash, true);
    const validUntil = key.validUntil ? Date.parse(key.validUntil) : Infinity;
    if (!(validUntil > now)) return;
    cache.set(hash, { key, verifiedAt: now, validUntil });
    const hashes = hashesByKeyId.get(key.keyId) ?? new Set<string>();
    hashes.add(hash);
    hashesByKeyId.set(key.keyId, hashes);
  }

  function fetchKey(hash: string, digest: Buffer): Promise<VerifiedApiKey | null> {
    const startedAt = epoch;
    const call = client
      .verify(digest)
      .then((key) => {
        if (epoch === startedAt) remember(hash, key);
        return key;
      })
      .finally(() => {
        if (inFlight.get(hash) === call) inFlight.delete(hash);
      });
    inFlight.set(hash, call);
    return call;
  }

  /** The cached key of `hash` if still trusted; drops an entry that is not. */
  function trusted(hash: string): VerifiedApiKey | undefined {
    const entry = cache.get(hash);
    if (entry === undefined) return undefined;
    const now = clock.now();
    const ttl = announced() ? ttlMs : unannouncedTtlMs;
    if (now < Math.min(entry.verifiedAt + ttl, entry.validUntil)) return entry.key;
    cache.delete(hash);
    return undefined;
  }

  return {
    cached(secret) {
      const key = trusted(hashApiKeySecret(secret).toString("hex"));
      if (key) hits += 1;
      return key;
    },
    knownValid: (secret) => provenValid.has(hashApiKeySecret(secret).toString("hex")),
    verify(secret) {
      const digest = hashApiKeySecret(secret);
      const hash = digest.toString("hex");
      const unknownUntil = unknown.get(hash);
      if (unknownUntil !== undefined) {
        if (unknownUntil > clock.now()) {
          hits += 1;
          return Promise.resolve(null);
        }
        unknown.delete(hash);
      }
      const key = trusted(hash);
      if (key) {
        hits += 1;
        return Promise.resolve(key);
      }
      misses += 1;
      return inFlight.get(hash) ?? fetchKey(hash, digest);
    },
    forgetKey(keyId) {
      epoch += 1;
      // A request after the change must not join a lookup that started before it.
      inFlight.clear();
      for (const hash of [...(hashesByKeyId.get(keyId) ?? [])]) cache.delete(hash);
      hashesByKeyId.delete(keyId);
    },
    forgetAll() {
      epoch += 1;
      inFlight.clear();
      cache.clear();
      unknown.clear();
      hashesByKeyId.clear();
    },
    stats: () => ({ hits, misses, entries: cache.size + unknown.size }),
  };
}
