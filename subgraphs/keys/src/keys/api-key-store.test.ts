import {
  API_KEY_SCOPES,
  createPgliteDatabase,
  generateApiKeySecret,
  hashApiKeySecret,
  isWellFormedApiKeySecret,
  runMigrations,
  type Database,
  type Queryable,
} from "@pokewatch/kit";
import type { GraphQLError } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_RATE_LIMIT_PER_MINUTE } from "./api-key-input.js";
import { keysMigrations } from "../keys-app.js";
import { createApiKeyStore, type ApiKeyStore, type ApiKeyStoreOptions } from "./api-key-store.js";
import type { ApiKeyEvents } from "./key-events.js";

let db: Database;
let now: Date;
let changed: string[];
let store: ApiKeyStore;

const events: ApiKeyEvents = {
  keyChanged(keyId) {
    changed.push(keyId);
    return Promise.resolve();
  },
};
const open = (options: ApiKeyStoreOptions = {}, on: Queryable = db) =>
  createApiKeyStore(on, { clock: () => now, events, ...options });
const later = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000);
};
const verifySecret = (secret: string) => store.verify(hashApiKeySecret(secret));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("resolved"),
    (error: unknown) => error as GraphQLError,
  );
const newKey = (name = "job", extra: Partial<Parameters<ApiKeyStore["create"]>[0]> = {}) =>
  store.create({ name, scopes: ["prices:read"], ...extra });

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "keys", keysMigrations());
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.query("DELETE FROM api_keys");
  now = new Date("2026-06-01T12:00:00.000Z");
  changed = [];
  store = open();
});

describe("api key store: create", () => {
  it("returns a well-formed secret once and a record without it", async () => {
    const { record, secret } = await store.create({
      name: "  price-sync job ",
      scopes: ["prices:read", "pipeline:read", "prices:read"],
    });
    expect(isWellFormedApiKeySecret(secret)).toBe(true);
    expect(secret.startsWith("pw_live_")).toBe(true);
    expect(record).toEqual({
      id: expect.stringMatching(/^key_[0-9A-Za-z]{20}$/),
      name: "price-sync job",
      prefix: "pw_live_",
      maskedKey: `pw_live_…${secret.slice(-4)}`,
      scopes: ["prices:read", "pipeline:read"],
      status: "ACTIVE",
      createdAt: now,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      rateLimitPerMinute: 60,
    });
    expect(JSON.stringify(record)).not.toContain(secret.slice(8, -6));
    expect(await store.findById(record.id)).toEqual(record);
    expect(await verifySecret(secret)).toEqual({
      keyId: record.id,
      scopes: ["prices:read", "pipeline:read"],
      rateLimitPerMinute: 60,
      validUntil: null,
    });
    expect(await store.count()).toBe(1);
  });

  it("makes test keys, keeps an expiry and a rate limit, and uses the configured default", async () => {
    const expiresAt = new Date(now.getTime() + 86_400_000);
    const { record, secret } = await newKey("ci", { environment: "test", expiresAt, rateLimitPerMinute: 5 });
    expect(secret.startsWith("pw_test_")).toBe(true);
    expect(record).toMatchObject({ prefix: "pw_test_", expiresAt, rateLimitPerMinute: 5 });
    expect((await verifySecret(secret))?.validUntil).toBe(expiresAt.toISOString());
    const custom = await open({ defaultRateLimitPerMinute: 30 }).create({ name: "x", scopes: ["keys:admin"] });
    expect(custom.record.rateLimitPerMinute).toBe(30);
  });

  it("stores neither the secret nor its random body anywhere, only the hash", async () => {
    const secrets: string[] = [];
    for (const name of ["a", "b", "c"]) secrets.push((await newKey(name)).secret);
    const { record } = await newKey("rotated");
    secrets.push((await store.rotate(record.id, 3600))!.secret);
    const admin = generateApiKeySecret("test");
    await store.ensureAdminKey(admin);
    secrets.push(admin);
    const rows = await db.query<{ row: string }>("SELECT k::text AS row FROM api_keys AS k");
    const dump = rows.map((r) => r.row).join("\n");
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(8, 40));
      expect(dump).toContain(hashApiKeySecret(secret).toString("hex"));
    }
  });

  it("writes nothing for invalid input", async () => {
    const error = await failure(store.create({ name: "ok", scopes: ["prices:read", "root"] }));
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.scopes" });
    const past = await failure(newKey("late", { expiresAt: now }));
    expect(past.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.expiresAt" });
    expect(await store.count()).toBe(0);
  });

  it("refuses a bad default rate limit when created", () => {
    expect(() => open({ defaultRateLimitPerMinute: 0 })).toThrow(/defaultRateLimitPerMinute must be .* got 0/);
  });
});

describe("api key store: list", () => {
  const allPages = async (first: number, status: "ACTIVE" | "REVOKED" | "EXPIRED" | null = null) => {
    const pages: string[][] = [];
    for (let after: string | null = null; ;) {
      const page = await store.list({ first, after, status });
      pages.push(page.records.map((record) => record.id));
      expect(page.cursors).toHaveLength(page.records.length);
      expect(page.endCursor).toBe(page.cursors.at(-1) ?? null);
      if (!page.hasNextPage) return pages;
      after = page.endCursor;
    }
  };

  it("pages newest first, ties broken by id, with no key twice or missing", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await newKey(`key ${index}`)).record.id);
      if (index !== 1) later(1); // keys 1 and 2 share an instant
    }
    const tied = ids.slice(1, 3).sort().reverse();
    const expected = [ids[4], ids[3], ...tied, ids[0]];
    expect((await allPages(2)).flat()).toEqual(expected);
    expect(await allPages(2)).toHaveLength(3);
    expect((await store.list({})).records.map((record) => record.id)).toEqual(expected);
    expect(await store.list({ first: 5 })).toMatchObject({ hasNextPage: false });
  });

  it("keeps microsecond creation times apart in cursors", async () => {
    await db.query(
      `INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, rate_limit_per_minute, created_at)
       SELECT 'key_' || n, 'seeded', 'pw_live_', 'abcd', decode(md5(n::text), 'hex'), '{}', 60,
              '2026-01-01T00:00:00Z'::timestamptz + n * interval '1 microsecond'
       FROM generate_series(1, 7) AS n`,
    );
    expect((await allPages(1)).flat()).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => `key_${n}`));
  });

  it("filters by status as of the clock", async () => {
    const active = await newKey("active");
    const revoked = await newKey("revoked");
    const expiring = await newKey("expiring", { expiresAt: new Date(now.getTime() + 60_000) });
    await store.revoke(revoked.record.id);
    later(60);
    expect((await allPages(10, "ACTIVE")).flat()).toEqual([active.record.id]);
    expect((await allPages(10, "REVOKED")).flat()).toEqual([revoked.record.id]);
    expect((await allPages(10, "EXPIRED")).flat()).toEqual([expiring.record.id]);
    const all = await store.list({ first: 10 });
    expect(all.records.map((record) => record.status).sort()).toEqual(["ACTIVE", "EXPIRED", "REVOKED"]);
  });

  it.each([0, 101, 1.5, -1])("refuses first = %s as BAD_USER_INPUT", async (first) => {
    expect((await failure(store.list({ first }))).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "first",
    });
  });

  it.each([
    "nope",
    "",
    Buffer.from('["yesterday","key_x"]').toString("base64url"),
    Buffer.from("[1,2]").toString("base64url"),
  ])("refuses the cursor %j as BAD_USER_INPUT", async (after) => {
    expect((await failure(store.list({ after }))).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "after",
    });
  });

  it("refuses an unknown status", async () => {
    const error = await failure(store.list({ status: "LOST" as "ACTIVE" }));
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "status" });
  });
});

describe("api key store: revoke", () => {
  it("revokes once, keeps the first revokedAt, and announces each call", async () => {
    const { record, secret } = await newKey();
    const revokedAt = now;
    expect(await store.revoke(record.id)).toMatchObject({ id: record.id, status: "REVOKED", revokedAt });
    later(60);
    expect(await store.revoke(record.id)).toMatchObject({ status: "REVOKED", revokedAt });
    expect(changed).toEqual([record.id, record.id]);
    expect(await verifySecret(secret)).toBeNull();
  });

  it("answers null for an unknown id and announces nothing", async () => {
    expect(await store.revoke("key_nope")).toBeNull();
    expect(changed).toEqual([]);
  });
});

describe("api key store: rotate", () => {
  it("gives the same key a new secret; the old one verifies until the grace period ends", async () => {
    const { record, secret: old } = await newKey("job", { rateLimitPerMinute: 7 });
    const rotated = await store.rotate(record.id, 3600);
    expect(rotated).not.toBeNull();
    const { record: after, secret } = rotated!;
    expect(isWellFormedApiKeySecret(secret)).toBe(true);
    expect(secret).not.toBe(old);
    expect(after).toEqual({ ...record, maskedKey: `pw_live_…${secret.slice(-4)}` });
    expect(changed).toEqual([record.id]);

    const graceEnd = new Date(now.getTime() + 3_600_000).toISOString();
    const common = { keyId: record.id, scopes: ["prices:read"], rateLimitPerMinute: 7 };
    expect(await verifySecret(secret)).toEqual({ ...common, validUntil: null });
    expect(await verifySecret(old)).toEqual({ ...common, validUntil: graceEnd });
    later(3599);
    expect(await verifySecret(old)).toEqual({ ...common, validUntil: graceEnd });
    later(1);
    expect(await verifySecret(old)).toBeNull();
    expect(await verifySecret(secret)).toEqual({ ...common, validUntil: null });
  });

  it("ends the old secret at once with no grace, and keeps the environment", async () => {
    const { record, secret: old } = await newKey("ci", { environment: "test" });
    const { secret } = (await store.rotate(record.id, 0))!;
    expect(secret.startsWith("pw_test_")).toBe(true);
    expect(await verifySecret(old)).toBeNull();
    expect(await verifySecret(secret)).not.toBeNull();
  });

  it("bounds the old secret's validity by the key's expiry", async () => {
    const expiresAt = new Date(now.getTime() + 600_000);
    const { record, secret: old } = await newKey("short", { expiresAt });
    const { secret } = (await store.rotate(record.id, 3600))!;
    expect((await verifySecret(old))?.validUntil).toBe(expiresAt.toISOString());
    expect((await verifySecret(secret))?.validUntil).toBe(expiresAt.toISOString());
    later(600);
    expect(await verifySecret(old)).toBeNull();
    expect(await verifySecret(secret)).toBeNull();
  });

  it("drops the secret before last when rotated again", async () => {
    const { record, secret: first } = await newKey();
    const { secret: second } = (await store.rotate(record.id, 3600))!;
    const { secret: third } = (await store.rotate(record.id, 3600))!;
    expect(await verifySecret(first)).toBeNull();
    expect(await verifySecret(second)).not.toBeNull();
    expect(await verifySecret(third)).not.toBeNull();
  });

  it("answers null for an unknown id", async () => {
    expect(await store.rotate("key_nope", 60)).toBeNull();
    expect(changed).toEqual([]);
  });

  it("refuses revoked and expired keys, and grace periods outside 0 to 7 days", async () => {
    const revoked = await newKey("revoked");
    await store.revoke(revoked.record.id);
    const expired = await newKey("expired", { expiresAt: new Date(now.getTime() + 1000) });
    later(1);
    changed = [];
    for (const id of [revoked.record.id, expired.record.id]) {
      const error = await failure(store.rotate(id, 60));
      expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    }
    const active = await newKey("active");
    for (const grace of [-1, 604_801, 1.5]) {
      const error = await failure(store.rotate(active.record.id, grace));
      expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "gracePeriodSeconds" });
    }
    expect(await store.rotate(active.record.id, 604_800)).not.toBeNull();
    expect(changed).toEqual([active.record.id]);
  });
});

describe("api key store: verify", () => {
  it("answers null for unknown, revoked and expired keys and for a hash of the wrong length", async () => {
    expect(await verifySecret(generateApiKeySecret())).toBeNull();
    expect(await store.verify(Buffer.from("short"))).toBeNull();
    const revoked = await newKey("revoked");
    await store.revoke(revoked.record.id);
    expect(await verifySecret(revoked.secret)).toBeNull();
    const expiring = await newKey("expiring", { expiresAt: new Date(now.getTime() + 1000) });
    expect(await verifySecret(expiring.secret)).not.toBeNull();
    later(1);
    expect(await verifySecret(expiring.secret)).toBeNull();
  });
});

describe("api key store: recordUsage", () => {
  it("writes every key's latest use in one statement and never moves it back", async () => {
    const statements: string[] = [];
    const recording: Queryable = {
      ...db,
      query: (sql, params) => {
        statements.push(sql);
        return db.query(sql, params);
      },
    };
    const a = (await newKey("a")).record.id;
    const b = (await newKey("b")).record.id;
    const c = (await newKey("c")).record.id;
    const at = (minute: number) => `2026-06-01T12:0${minute}:00.000Z`;
    const counting = open({}, recording);
    await counting.recordUsage([
      { keyId: a, at: at(1) },
      { keyId: a, at: at(3) },
      { keyId: b, at: at(2) },
      { keyId: a, at: at(2) },
      { keyId: "key_unknown", at: at(9) },
    ]);
    expect(statements).toHaveLength(1);
    await counting.recordUsage([{ keyId: a, at: at(0) }]);
    await counting.recordUsage([]);
    expect(statements).toHaveLength(2);
    const lastUsed = async (id: string) => (await store.findById(id))?.lastUsedAt?.toISOString() ?? null;
    expect([await lastUsed(a), await lastUsed(b), await lastUsed(c)]).toEqual([at(3), at(2), null]);
  });
});

describe("api key store: ensureAdminKey", () => {
  it("creates key_admin with every scope, and changes nothing the second time", async () => {
    const secret = generateApiKeySecret();
    const admin = await store.ensureAdminKey(secret);
    expect(admin).toMatchObject({
      id: "key_admin",
      name: "admin (POKEWATCH_ADMIN_KEY)",
      scopes: [...API_KEY_SCOPES],
      status: "ACTIVE",
      maskedKey: `pw_live_…${secret.slice(-4)}`,
    });
    expect(await store.ensureAdminKey(secret)).toEqual(admin);
    expect(await store.count()).toBe(1);
    expect(changed).toEqual([]);
    expect((await verifySecret(secret))?.keyId).toBe("key_admin");
  });

  it("revives a revoked, expired or rotated admin key with exactly the given secret", async () => {
    const first = generateApiKeySecret();
    await store.ensureAdminKey(first);
    const { secret: rotated } = (await store.rotate("key_admin", 3600))!;
    await store.revoke("key_admin");
    await db.query("UPDATE api_keys SET expires_at = $1, scopes = '{prices:read}'", [now]);
    changed = [];
    const second = generateApiKeySecret("test");
    const admin = await store.ensureAdminKey(second);
    expect(admin).toMatchObject({ status: "ACTIVE", revokedAt: null, expiresAt: null, scopes: [...API_KEY_SCOPES] });
    expect(admin.prefix).toBe("pw_test_");
    expect(changed).toEqual(["key_admin"]);
    expect(await verifySecret(first)).toBeNull();
    expect(await verifySecret(rotated)).toBeNull();
    expect(await verifySecret(second)).toMatchObject({ keyId: "key_admin", validUntil: null });
  });

  it("gives key_admin the admin rate (the maximum unless ADMIN_RATE_LIMIT_RPM says less) and follows a change", async () => {
    const secret = generateApiKeySecret();
    expect((await store.ensureAdminKey(secret)).rateLimitPerMinute).toBe(MAX_RATE_LIMIT_PER_MINUTE);
    const lower = open({ adminRateLimitPerMinute: 6_000 });
    expect((await lower.ensureAdminKey(secret)).rateLimitPerMinute).toBe(6_000);
    // Gateways may have cached the old rate: the change is announced like a rotation.
    expect(changed).toEqual(["key_admin"]);
    expect((await verifySecret(secret))?.rateLimitPerMinute).toBe(6_000);
    expect(() => open({ adminRateLimitPerMinute: 0 })).toThrow(/adminRateLimitPerMinute must be a whole number/);
  });

  it("refuses a malformed secret without repeating it", async () => {
    const error = (await failure(store.ensureAdminKey("pw_live_not-a-real-key"))) as Error;
    expect(error.message).not.toContain("not-a-real-key");
    expect(await store.count()).toBe(0);
  });
});
