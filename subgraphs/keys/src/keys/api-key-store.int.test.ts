import { hashApiKeySecret, isWellFormedApiKeySecret, runMigrations } from "@pokewatch/kit";
import { createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysMigrations } from "../keys-app.js";
import { createApiKeyStore, type ApiKeyStore } from "./api-key-store.js";

let pg: IsolatedPostgres;
let store: ApiKeyStore;
let now = new Date("2026-06-01T12:00:00.000Z");
const changed: string[] = [];
const verifySecret = (secret: string) => store.verify(hashApiKeySecret(secret));

beforeAll(async () => {
  pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "keys", keysMigrations());
  store = createApiKeyStore(pg.db, {
    clock: () => now,
    events: { keyChanged: (keyId) => Promise.resolve(void changed.push(keyId)) },
  });
});
afterAll(() => pg.drop());

describe("api key store on PostgreSQL", () => {
  it("creates a key that verifies by its hash alone", async () => {
    const { record, secret } = await store.create({ name: "pg job", scopes: ["prices:read", "keys:admin"] });
    expect(isWellFormedApiKeySecret(secret)).toBe(true);
    expect(await store.findById(record.id)).toEqual(record);
    expect(await verifySecret(secret)).toEqual({
      keyId: record.id,
      scopes: ["prices:read", "keys:admin"],
      rateLimitPerMinute: 60,
      validUntil: null,
    });
    const [stored] = await pg.db.query<{ secret_hash: Buffer }>("SELECT secret_hash FROM api_keys WHERE id = $1", [
      record.id,
    ]);
    expect(stored!.secret_hash.equals(hashApiKeySecret(secret))).toBe(true);
  });

  it("rotates with a grace period, then refuses the old secret", async () => {
    const { record, secret: old } = await store.create({ name: "rotating", scopes: ["pipeline:read"] });
    const { secret } = (await store.rotate(record.id, 60))!;
    expect(changed).toEqual([record.id]);
    expect((await verifySecret(old))?.validUntil).toBe(new Date(now.getTime() + 60_000).toISOString());
    expect((await verifySecret(secret))?.keyId).toBe(record.id);
    now = new Date(now.getTime() + 60_000);
    expect(await verifySecret(old)).toBeNull();
    expect((await verifySecret(secret))?.keyId).toBe(record.id);
  });

  it("records the latest use of each key in one batch", async () => {
    const a = (await store.create({ name: "a", scopes: ["prices:read"] })).record.id;
    const b = (await store.create({ name: "b", scopes: ["prices:read"] })).record.id;
    await store.recordUsage([
      { keyId: a, at: "2026-06-01T12:05:00.000Z" },
      { keyId: b, at: "2026-06-01T12:01:00+02:00" },
      { keyId: a, at: "2026-06-01T12:07:00.000Z" },
    ]);
    await store.recordUsage([{ keyId: a, at: "2026-06-01T12:06:00.000Z" }]);
    expect((await store.findById(a))?.lastUsedAt?.toISOString()).toBe("2026-06-01T12:07:00.000Z");
    expect((await store.findById(b))?.lastUsedAt?.toISOString()).toBe("2026-06-01T10:01:00.000Z");
  });

  it("pages through keys with cursors", async () => {
    const page = await store.list({ first: 2 });
    expect(page.records).toHaveLength(2);
    expect(page.hasNextPage).toBe(true);
    const rest = await store.list({ first: 100, after: page.endCursor });
    const ids = new Set([...page.records, ...rest.records].map((record) => record.id));
    expect(ids.size).toBe(await store.count());
    expect(rest.hasNextPage).toBe(false);
  });
});
