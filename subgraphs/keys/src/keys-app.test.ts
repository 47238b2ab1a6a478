import { createPgliteDatabase, runMigrations, type Database, type FastifyInstance } from "@pokewatch/kit";
import { TEST_SECRET, signedQuery, silentLogger, testIdentity } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeysApp, keysMigrations } from "./keys-app.js";

let db: Database;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "keys", keysMigrations());
  await db.query(
    `INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, rate_limit_per_minute, expires_at, revoked_at)
     VALUES ('key_live', 'frontend', 'pw_live_', 'a1b2', '\\x01', '{prices:read}', 60, NULL, NULL),
            ('key_gone', 'old job', 'pw_live_', 'zz99', '\\x02', '{}', 60, NULL, now() - interval '1 hour'),
            ('key_past', 'trial', 'pw_test_', 'ffff', '\\x03', '{}', 30, now() - interval '1 day', NULL)`,
  );
  app = await createKeysApp({ secret: TEST_SECRET, logger: silentLogger(), db });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const viewerQuery = `{ viewer { authenticated scopes plan requestId key { id name maskedKey status scopes rateLimitPerMinute } } }`;

describe("keys subgraph: viewer", () => {
  it("is anonymous when the gateway forwards no key", async () => {
    const identity = testIdentity();
    const { body } = await signedQuery(app, viewerQuery, { identity });
    expect(body.data).toEqual({
      viewer: { authenticated: false, scopes: [], plan: null, requestId: identity.requestId, key: null },
    });
  });

  it("describes the calling key from the signed identity, never its secret", async () => {
    const identity = testIdentity({ keyId: "key_live", scopes: ["prices:read"], plan: "free" });
    const { body } = await signedQuery(app, viewerQuery, { identity });
    expect(body.data).toEqual({
      viewer: {
        authenticated: true,
        scopes: ["prices:read"],
        plan: "free",
        requestId: identity.requestId,
        key: {
          id: "key_live",
          name: "frontend",
          maskedKey: "pw_live_…a1b2",
          status: "ACTIVE",
          scopes: ["prices:read"],
          rateLimitPerMinute: 60,
        },
      },
    });
  });
});

describe("keys subgraph: ApiKey entity", () => {
  it("derives REVOKED and EXPIRED from the timestamps and reports unknown ids as NOT_FOUND", async () => {
    const { body } = await signedQuery(
      app,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ApiKey { id status } } }`,
      {
        variables: {
          r: ["key_gone", "key_past", "key_nope"].map((id) => ({ __typename: "ApiKey", id })),
        },
      },
    );
    expect(body.data).toEqual({
      _entities: [{ id: "key_gone", status: "REVOKED" }, { id: "key_past", status: "EXPIRED" }, null],
    });
    expect(body.errors?.[0]).toMatchObject({ path: ["_entities", 2], extensions: { code: "NOT_FOUND" } });
  });
});
