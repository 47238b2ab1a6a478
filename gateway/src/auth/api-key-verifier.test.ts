import { generateApiKeySecret, hashApiKeySecret, type VerifiedApiKey } from "@pokewatch/kit";
import { describe, expect, it } from "vitest";
import { createApiKeyVerifier } from "./api-key-verifier.js";
import { KeysServiceUnavailableError } from "./keys-service-client.js";

const START = Date.parse("2026-01-01T00:00:00Z");

function fixture(keys: Record<string, VerifiedApiKey> = {}) {
  const asked: string[] = [];
  const clock = { at: START, now: () => clock.at };
  const client = {
    down: false,
    verify(secretHash: Buffer) {
      asked.push(secretHash.toString("hex"));
      if (client.down) return Promise.reject(new KeysServiceUnavailableError("down"));
      return Promise.resolve(keys[secretHash.toString("hex")] ?? null);
    },
  };
  const add = (key: Partial<VerifiedApiKey> = {}) => {
    const secret = generateApiKeySecret();
    keys[hashApiKeySecret(secret).toString("hex")] = {
      keyId: "key_1",
      scopes: ["prices:read"],
      rateLimitPerMinute: 60,
      validUntil: null,
      ...key,
    };
    return secret;
  };
  return { asked, clock, client, add, keys };
}

describe("createApiKeyVerifier", () => {
  it("asks the keys service once per secret, by hash, then answers from the cache until the TTL", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, ttlMs: 30_000, clock: f.clock });
    expect(await verifier.verify(secret)).toMatchObject({ keyId: "key_1" });
    expect(await verifier.verify(secret)).toMatchObject({ keyId: "key_1" });
    expect(f.asked).toEqual([hashApiKeySecret(secret).toString("hex")]);
    expect(verifier.stats()).toEqual({ hits: 1, misses: 1, entries: 1 });
    f.clock.at += 30_000;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
  });

  it("never keeps a key past its validUntil", async () => {
    const f = fixture();
    const secret = f.add({ validUntil: new Date(START + 2_000).toISOString() });
    const verifier = createApiKeyVerifier({ client: f.client, ttlMs: 30_000, clock: f.clock });
    await verifier.verify(secret);
    f.clock.at += 1_999;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(1);
    f.clock.at += 1;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
  });

  it("remembers an unknown secret for the negative TTL only", async () => {
    const f = fixture();
    const verifier = createApiKeyVerifier({ client: f.client, negativeTtlMs: 5_000, clock: f.clock });
    const unknown = generateApiKeySecret();
    expect(await verifier.verify(unknown)).toBeNull();
    expect(await verifier.verify(unknown)).toBeNull();
    expect(f.asked).toHaveLength(1);
    f.clock.at += 5_000;
    await verifier.verify(unknown);
    expect(f.asked).toHaveLength(2);
  });

  it("shares one call between concurrent misses of the same secret", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    const answers = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(secret)));
    expect(answers.every((key) => key?.keyId === "key_1")).toBe(true);
    expect(f.asked).toHaveLength(1);
  });

  it("forgetKey drops every cached secret of that key, and only those", async () => {
    const f = fixture();
    const current = f.add({ keyId: "key_1" });
    const rotatedOut = f.add({ keyId: "key_1" });
    const other = f.add({ keyId: "key_2" });
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    for (const secret of [current, rotatedOut, other]) await verifier.verify(secret);
    verifier.forgetKey("key_1");
    expect(verifier.stats().entries).toBe(1);
    for (const secret of [current, rotatedOut, other]) await verifier.verify(secret);
    expect(f.asked).toHaveLength(5);
  });

  it("does not cache an answer that was in flight when its key was forgotten", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    const pending = verifier.verify(secret);
    verifier.forgetKey("key_1");
    await pending;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
  });

  it("does not let a request made after a revocation join a lookup started before it", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    const before = verifier.verify(secret);
    verifier.forgetKey("key_1");
    const after = verifier.verify(secret);
    await Promise.all([before, after]);
    expect(f.asked).toHaveLength(2);
  });

  it("keeps unknown secrets apart, so a flood of made-up keys cannot push a real key out", async () => {
    const f = fixture();
    const real = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock, maxEntries: 2, maxUnknownEntries: 2 });
    await verifier.verify(real);
    for (let i = 0; i < 10; i += 1) expect(await verifier.verify(generateApiKeySecret())).toBeNull();
    const asked = f.asked.length;
    expect(await verifier.verify(real)).toMatchObject({ keyId: "key_1" });
    expect(f.asked).toHaveLength(asked);
  });

  it("forgetAll drops every cached answer, known and unknown", async () => {
    const f = fixture();
    const real = f.add();
    const madeUp = generateApiKeySecret();
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    await verifier.verify(real);
    await verifier.verify(madeUp);
    verifier.forgetAll();
    await verifier.verify(real);
    await verifier.verify(madeUp);
    expect(f.asked).toHaveLength(4);
  });

  it("caches nothing when the keys service is down, and lets the error through", async () => {
    const f = fixture();
    const secret = f.add();
    f.client.down = true;
    const verifier = createApiKeyVerifier({ client: f.client, clock: f.clock });
    await expect(verifier.verify(secret)).rejects.toBeInstanceOf(KeysServiceUnavailableError);
    f.client.down = false;
    expect(await verifier.verify(secret)).toMatchObject({ keyId: "key_1" });
  });

  it("evicts the least recently used secret beyond maxEntries, and its index entry with it", async () => {
    const f = fixture();
    const first = f.add({ keyId: "key_1" });
    const second = f.add({ keyId: "key_2" });
    const verifier = createApiKeyVerifier({ client: f.client, maxEntries: 1, clock: f.clock });
    await verifier.verify(first);
    await verifier.verify(second);
    expect(verifier.stats().entries).toBe(1);
    verifier.forgetKey("key_1");
    await verifier.verify(second);
    expect(f.asked).toHaveLength(2);
  });

  it("trusts a cached key for the short unannounced TTL while changes are not announced", async () => {
    const f = fixture();
    const secret = f.add();
    const live = { now: true };
    const verifier = createApiKeyVerifier({
      client: f.client,
      ttlMs: 30_000,
      unannouncedTtlMs: 2_000,
      announced: () => live.now,
      clock: f.clock,
    });
    await verifier.verify(secret);
    f.clock.at += 10_000;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(1);
    // The subscription drops: an entry verified 10 s ago is no longer trusted, whatever its TTL said.
    live.now = false;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
    f.clock.at += 1_999;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
    f.clock.at += 1;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(3);
  });

  it("never trusts longer unannounced than announced", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({
      client: f.client,
      ttlMs: 1_000,
      unannouncedTtlMs: 5_000,
      announced: () => false,
      clock: f.clock,
    });
    await verifier.verify(secret);
    f.clock.at += 1_000;
    await verifier.verify(secret);
    expect(f.asked).toHaveLength(2);
  });

  it("cached answers from the cache only: a trusted key, else undefined without asking", async () => {
    const f = fixture();
    const secret = f.add();
    const unknown = generateApiKeySecret();
    const verifier = createApiKeyVerifier({ client: f.client, ttlMs: 30_000, clock: f.clock });
    expect(verifier.cached(secret)).toBeUndefined();
    await verifier.verify(secret);
    await verifier.verify(unknown);
    expect(verifier.cached(secret)).toMatchObject({ keyId: "key_1" });
    expect(verifier.cached(unknown)).toBeUndefined();
    f.clock.at += 30_000;
    expect(verifier.cached(secret)).toBeUndefined();
    verifier.forgetAll();
    expect(f.asked).toHaveLength(2);
  });

  it("knownValid remembers a secret found valid past its trust and past forget*, until a lookup finds it invalid", async () => {
    const f = fixture();
    const secret = f.add();
    const verifier = createApiKeyVerifier({ client: f.client, ttlMs: 30_000, clock: f.clock });
    expect(verifier.knownValid(secret)).toBe(false);
    await verifier.verify(secret);
    f.clock.at += 60_000;
    verifier.forgetKey("key_1");
    verifier.forgetAll();
    expect(verifier.cached(secret)).toBeUndefined();
    expect(verifier.knownValid(secret)).toBe(true);
    delete f.keys[hashApiKeySecret(secret).toString("hex")];
    expect(await verifier.verify(secret)).toBeNull();
    expect(verifier.knownValid(secret)).toBe(false);
    expect(verifier.knownValid(generateApiKeySecret())).toBe(false);
  });

  it("refuses nonsense options, naming them", () => {
    const f = fixture();
    expect(() => createApiKeyVerifier({ client: f.client, ttlMs: 0 })).toThrow(/ttlMs must be a number above 0; got 0/);
    expect(() => createApiKeyVerifier({ client: f.client, maxEntries: Number.NaN })).toThrow(/maxEntries/);
    expect(() => createApiKeyVerifier({ client: f.client, unannouncedTtlMs: -1 })).toThrow(/unannouncedTtlMs/);
  });
});
