import {
  API_KEY_SCOPES,
  API_KEY_USAGE_ROUTE,
  API_KEY_VERIFY_ROUTE,
  createPgliteDatabase,
  generateApiKeySecret,
  hashApiKeySecret,
  parseEnv,
  requireSubgraphSecret,
  runMigrations,
  signIdentity,
  type Database,
  type FastifyInstance,
  type Identity,
} from "@pokewatch/kit";
import { TEST_SECRET, capturingLogger, signedQuery, silentLogger, testIdentity } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysEnvSchema } from "./env.js";
import { createKeysApp, keysMigrations } from "./keys-app.js";
import { createApiKeyStore } from "./keys/api-key-store.js";

const ADMIN_KEY = generateApiKeySecret("test");
/** As the gateway signs it: the field limits were counted there. */
const admin = (scopes: string[] = [...API_KEY_SCOPES]) =>
  testIdentity({ keyId: "key_admin", scopes, plan: "admin", fieldLimitsCounted: true });

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
  app = await createKeysApp({ secret: TEST_SECRET, logger: silentLogger(), db, adminKey: ADMIN_KEY });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

/**
 * POSTs a JSON body to an internal route, signed as the gateway signs (unless `signed` is false);
 * `signedPath` signs for another path than the one it is sent to.
 */
async function internalPost(
  url: string,
  payload: unknown,
  {
    signed = true,
    audience = "keys",
    signedPath = url,
  }: { signed?: boolean; audience?: string; signedPath?: string } = {},
) {
  const body = JSON.stringify(payload);
  const signature = signed
    ? signIdentity(testIdentity(), TEST_SECRET, { audience, method: "POST", path: signedPath, body })
    : {};
  const response = await app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json", ...signature },
    payload: body,
  });
  return { status: response.statusCode, headers: response.headers, body: response.body ? response.json() : undefined };
}

const verify = (secret: string) =>
  internalPost(API_KEY_VERIFY_ROUTE, { secretHash: hashApiKeySecret(secret).toString("hex") });

interface KeyWithSecret {
  apiKey: { id: string; name: string; maskedKey: string; scopes: string[]; status: string; rateLimitPerMinute: number };
  secret: string;
}

const CREATE = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name maskedKey scopes status rateLimitPerMinute expiresAt } }
}`;

async function createKey(input: Record<string, unknown>, identity: Identity = admin()): Promise<KeyWithSecret> {
  const { body } = await signedQuery<{ createApiKey: KeyWithSecret }>(app, CREATE, { variables: { input }, identity });
  expect(body.errors).toBeUndefined();
  return body.data!.createApiKey;
}

const viewerQuery = `{ viewer { authenticated scopes plan rateLimitPerMinute requestId key { id name maskedKey status scopes rateLimitPerMinute } } }`;

describe("keys subgraph: viewer", () => {
  it("is anonymous when the gateway forwards no key", async () => {
    const identity = testIdentity();
    const { body } = await signedQuery(app, viewerQuery, { identity });
    expect(body.data).toEqual({
      viewer: {
        authenticated: false,
        scopes: [],
        plan: null,
        rateLimitPerMinute: null,
        requestId: identity.requestId,
        key: null,
      },
    });
  });

  it("describes the calling key from the signed identity, never its secret", async () => {
    const identity = testIdentity({ keyId: "key_live", scopes: ["prices:read"], plan: "free", rateLimitPerMinute: 60 });
    const { body } = await signedQuery(app, viewerQuery, { identity });
    expect(body.data).toEqual({
      viewer: {
        authenticated: true,
        scopes: ["prices:read"],
        plan: "free",
        rateLimitPerMinute: 60,
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

describe("keys subgraph: createApiKey and apiKey", () => {
  it("returns the secret once; the key itself never exposes it", async () => {
    const created = await createKey({ name: "price sync", scopes: ["prices:read"], rateLimitPerMinute: 120 });
    expect(created.secret).toMatch(/^pw_live_[0-9A-Za-z]{38}$/);
    expect(created.apiKey).toMatchObject({
      id: expect.stringMatching(/^key_/),
      name: "price sync",
      maskedKey: `pw_live_…${created.secret.slice(-4)}`,
      scopes: ["prices:read"],
      status: "ACTIVE",
      rateLimitPerMinute: 120,
    });

    const { body } = await signedQuery(app, `query ($id: ID!) { apiKey(id: $id) { id name maskedKey } }`, {
      variables: { id: created.apiKey.id },
      identity: admin(),
    });
    expect(body.data).toEqual({
      apiKey: { id: created.apiKey.id, name: "price sync", maskedKey: created.apiKey.maskedKey },
    });
    expect(JSON.stringify(body)).not.toContain(created.secret);

    const fields = await signedQuery<{ __type: { fields: Array<{ name: string }> } }>(
      app,
      `{ __type(name: "ApiKey") { fields { name } } }`,
    );
    const names = fields.body.data!.__type.fields.map((field) => field.name);
    expect(names).toContain("maskedKey");
    expect(names.filter((name) => /secret|hash/i.test(name))).toEqual([]);
  });

  it("answers NOT_FOUND for an unknown id", async () => {
    const { body } = await signedQuery(app, `{ apiKey(id: "key_nope") { id } }`, { identity: admin() });
    expect(body.data).toEqual({ apiKey: null });
    expect(body.errors?.[0]).toMatchObject({ path: ["apiKey"], extensions: { code: "NOT_FOUND" } });
  });

  it("never grants a scope the calling key lacks (FORBIDDEN naming it)", async () => {
    const { body } = await signedQuery(app, CREATE, {
      variables: { input: { name: "escalate", scopes: ["keys:admin", "pipeline:write"] } },
      identity: admin(["keys:admin"]),
    });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: "FORBIDDEN", scope: "pipeline:write" } });
    expect(body.errors?.[0]?.message).toContain("pipeline:write");
  });

  it.each([
    ["an unknown scope", { name: "x", scopes: ["prices:write"] }],
    ["a blank name", { name: "  ", scopes: ["prices:read"] }],
    ["a name over 100 characters", { name: "n".repeat(101), scopes: ["prices:read"] }],
    ["an expiry in the past", { name: "x", scopes: ["prices:read"], expiresAt: "2020-01-01T00:00:00Z" }],
    ["a malformed expiry", { name: "x", scopes: ["prices:read"], expiresAt: "next week" }],
    ["a rate limit of 0", { name: "x", scopes: ["prices:read"], rateLimitPerMinute: 0 }],
    ["a name with a terminal escape (C0)", { name: "job\u001b[2J", scopes: ["prices:read"] }],
    ["a name with a C1 control", { name: "job\u0085fake row", scopes: ["prices:read"] }],
    ["a name with a bidirectional override", { name: "job\u202egpj.exe", scopes: ["prices:read"] }],
  ])("refuses %s with BAD_USER_INPUT", async (_label, input) => {
    const { body } = await signedQuery(app, CREATE, { variables: { input }, identity: admin() });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is refused to a caller without keys:admin (kit's @scopes check)", async () => {
    const reader = testIdentity({ keyId: "key_live", scopes: ["prices:read"] });
    const list = await signedQuery(app, `{ apiKeys { edges { node { id } } } }`, { identity: reader });
    expect(list.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const create = await signedQuery(app, CREATE, {
      variables: { input: { name: "x", scopes: ["prices:read"] } },
      identity: reader,
    });
    expect(create.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("keys subgraph: apiKeys", () => {
  const LIST = `query ($first: Int, $after: String, $status: ApiKeyStatus) {
    apiKeys(first: $first, after: $after, status: $status) {
      edges { cursor node { id status } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  interface Page {
    apiKeys: {
      edges: Array<{ cursor: string; node: { id: string; status: string } }>;
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
    };
  }
  const list = async (variables: Record<string, unknown>) => {
    const { body } = await signedQuery<Page>(app, LIST, { variables, identity: admin() });
    expect(body.errors).toBeUndefined();
    return body.data!.apiKeys;
  };

  it("pages through every key exactly once, with a cursor per edge", async () => {
    for (const name of ["page a", "page b", "page c"]) await createKey({ name, scopes: ["prices:read"] });
    const all = await list({ first: 100 });
    expect(all.pageInfo.hasNextPage).toBe(false);
    expect(all.edges.length).toBeGreaterThanOrEqual(7);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: Page["apiKeys"] = await list({ first: 2, after });
      expect(page.edges.length).toBeLessThanOrEqual(2);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      seen.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((edge) => edge.node.id));

    // Any edge's cursor resumes right after that edge.
    const resumed = await list({ first: 1, after: all.edges[1]!.cursor });
    expect(resumed.edges[0]?.node.id).toBe(all.edges[2]!.node.id);
  });

  it("filters by status", async () => {
    const revoked = await list({ first: 100, status: "REVOKED" });
    expect(revoked.edges.map((edge) => edge.node.id)).toContain("key_gone");
    expect(new Set(revoked.edges.map((edge) => edge.node.status))).toEqual(new Set(["REVOKED"]));
    const expired = await list({ first: 100, status: "EXPIRED" });
    expect(expired.edges.map((edge) => edge.node.id)).toEqual(["key_past"]);
  });

  it("refuses a page size outside 1..100 and a malformed cursor with BAD_USER_INPUT", async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { first: 5, after: "not-a-cursor" }]) {
      const { body } = await signedQuery(app, LIST, { variables, identity: admin() });
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });
});

describe("keys subgraph: revokeApiKey and rotateApiKey", () => {
  const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { id status revokedAt } }`;
  const ROTATE = `mutation ($id: ID!, $grace: Int) {
    rotateApiKey(id: $id, gracePeriodSeconds: $grace) { secret apiKey { id maskedKey scopes status } }
  }`;

  it("revokes a key: REVOKED at once, and its secret no longer verifies", async () => {
    const created = await createKey({ name: "to revoke", scopes: ["prices:read"] });
    expect((await verify(created.secret)).body.key).toMatchObject({ keyId: created.apiKey.id });
    const { body } = await signedQuery(app, REVOKE, { variables: { id: created.apiKey.id }, identity: admin() });
    expect(body.data).toEqual({
      revokeApiKey: { id: created.apiKey.id, status: "REVOKED", revokedAt: expect.any(String) },
    });
    expect(await verify(created.secret)).toMatchObject({ status: 200, body: { key: null } });
  });

  it("rotates a key: same key, new secret; the old one lasts only the grace period", async () => {
    const created = await createKey({ name: "to rotate", scopes: ["prices:read", "pipeline:read"] });
    const graceful = await signedQuery<{ rotateApiKey: KeyWithSecret }>(app, ROTATE, {
      variables: { id: created.apiKey.id, grace: 3600 },
      identity: admin(),
    });
    const first = graceful.body.data!.rotateApiKey;
    expect(first.secret).not.toBe(created.secret);
    expect(first.apiKey).toMatchObject({
      id: created.apiKey.id,
      maskedKey: `pw_live_…${first.secret.slice(-4)}`,
      scopes: ["prices:read", "pipeline:read"],
      status: "ACTIVE",
    });
    expect((await verify(created.secret)).body.key).toMatchObject({
      keyId: created.apiKey.id,
      validUntil: expect.any(String),
    });
    expect((await verify(first.secret)).body.key).toMatchObject({ keyId: created.apiKey.id });

    const immediate = await signedQuery<{ rotateApiKey: KeyWithSecret }>(app, ROTATE, {
      variables: { id: created.apiKey.id, grace: 0 },
      identity: admin(),
    });
    const second = immediate.body.data!.rotateApiKey;
    expect((await verify(first.secret)).body.key).toBeNull();
    expect((await verify(second.secret)).body.key).toMatchObject({ keyId: created.apiKey.id });
  });

  it("will not rotate a key holding scopes the caller lacks, nor take a negative grace period", async () => {
    const created = await createKey({ name: "powerful", scopes: ["pipeline:write"] });
    const lacking = await signedQuery(app, ROTATE, {
      variables: { id: created.apiKey.id },
      identity: admin(["keys:admin"]),
    });
    expect(lacking.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", scope: "pipeline:write" });
    const negative = await signedQuery(app, ROTATE, {
      variables: { id: created.apiKey.id, grace: -1 },
      identity: admin(),
    });
    expect(negative.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("answers NOT_FOUND for unknown ids", async () => {
    for (const operation of [REVOKE, ROTATE]) {
      const { body } = await signedQuery(app, operation, { variables: { id: "key_nope" }, identity: admin() });
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
  });
});

describe("keys subgraph: internal routes for the gateway", () => {
  it("refuses unsigned calls and calls signed for another subgraph with 401", async () => {
    const body = { secretHash: hashApiKeySecret(ADMIN_KEY).toString("hex") };
    for (const options of [{ signed: false }, { audience: "pricing" }]) {
      for (const url of [API_KEY_VERIFY_ROUTE, API_KEY_USAGE_ROUTE]) {
        const response = await internalPost(url, body, options);
        expect(response.status).toBe(401);
        expect(response.headers["www-authenticate"]).toContain("PokeWatch-Signature");
        expect(response.body).toMatchObject({ errors: [{ extensions: { code: "UNAUTHENTICATED" } }] });
      }
    }
  });

  it("refuses a signature made for another route or for /graphql with 401", async () => {
    const created = await createKey({ name: "not touched", scopes: ["prices:read"] });
    const usage = { used: [{ keyId: created.apiKey.id, at: "2026-03-01T12:00:00.000Z" }] };
    for (const signedPath of [API_KEY_VERIFY_ROUTE, "/graphql", `${API_KEY_USAGE_ROUTE}?again=1`]) {
      const response = await internalPost(API_KEY_USAGE_ROUTE, usage, { signedPath });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ errors: [{ extensions: { code: "UNAUTHENTICATED" } }] });
    }
    const { body } = await signedQuery(app, `query ($id: ID!) { apiKey(id: $id) { lastUsedAt } }`, {
      variables: { id: created.apiKey.id },
      identity: admin(),
    });
    expect(body.data).toEqual({ apiKey: { lastUsedAt: null } });
  });

  it("verifies a live secret to its key, and an unknown one to null", async () => {
    const created = await createKey({ name: "verify me", scopes: ["prices:read"], rateLimitPerMinute: 90 });
    expect(await verify(created.secret)).toEqual({
      status: 200,
      headers: expect.anything(),
      body: { key: { keyId: created.apiKey.id, scopes: ["prices:read"], rateLimitPerMinute: 90, validUntil: null } },
    });
    expect((await verify(generateApiKeySecret())).body).toEqual({ key: null });
  });

  it("records usage as lastUsedAt", async () => {
    const created = await createKey({ name: "used", scopes: ["prices:read"] });
    const at = "2026-03-01T12:00:00.000Z";
    const response = await internalPost(API_KEY_USAGE_ROUTE, { used: [{ keyId: created.apiKey.id, at }] });
    expect(response.status).toBe(204);
    const { body } = await signedQuery(app, `query ($id: ID!) { apiKey(id: $id) { lastUsedAt } }`, {
      variables: { id: created.apiKey.id },
      identity: admin(),
    });
    expect(body.data).toEqual({ apiKey: { lastUsedAt: at } });
  });

  it.each([
    [API_KEY_VERIFY_ROUTE, {}],
    [API_KEY_VERIFY_ROUTE, { secretHash: "abc" }],
    [API_KEY_VERIFY_ROUTE, { secretHash: ADMIN_KEY }],
    [API_KEY_USAGE_ROUTE, { used: "key_live" }],
    [API_KEY_USAGE_ROUTE, { used: [{ keyId: "key_live", at: "yesterday" }] }],
  ])("answers 400 to a bad body for %s: %j", async (url, body) => {
    const response = await internalPost(url, body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].message).toMatch(/Invalid body/);
  });
});

describe("keys subgraph: POKEWATCH_ADMIN_KEY", () => {
  it("guarantees an active key with that secret and every scope", async () => {
    expect((await verify(ADMIN_KEY)).body.key).toMatchObject({ keyId: "key_admin" });
    expect([...(await verify(ADMIN_KEY)).body.key.scopes].sort()).toEqual([...API_KEY_SCOPES].sort());
  });

  it("refuses to revoke or rotate it through the API, which a restart would undo", async () => {
    for (const mutation of [
      `mutation { revokeApiKey(id: "key_admin") { id } }`,
      `mutation { rotateApiKey(id: "key_admin") { secret } }`,
    ]) {
      const { body } = await signedQuery(app, mutation, { identity: admin() });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
      expect(body.errors?.[0]?.message).toMatch(/POKEWATCH_ADMIN_KEY.*pnpm keys revoke key_admin/);
    }
    expect((await verify(ADMIN_KEY)).body.key).toMatchObject({ keyId: "key_admin" });
  });

  it("restores it when the app starts again, even after a revocation (pnpm keys revoke)", async () => {
    await createApiKeyStore(db).revoke("key_admin");
    expect((await verify(ADMIN_KEY)).body.key).toBeNull();
    const again = await createKeysApp({ secret: TEST_SECRET, logger: silentLogger(), db, adminKey: ADMIN_KEY });
    try {
      expect((await verify(ADMIN_KEY)).body.key).toMatchObject({ keyId: "key_admin" });
    } finally {
      await again.close();
    }
  });
});

describe("keys subgraph: environment", () => {
  const base = { SUBGRAPH_SECRET: TEST_SECRET };

  it("accepts a well-formed POKEWATCH_ADMIN_KEY and leaves it optional", () => {
    expect(parseEnv(keysEnvSchema, { ...base, POKEWATCH_ADMIN_KEY: ADMIN_KEY }).POKEWATCH_ADMIN_KEY).toBe(ADMIN_KEY);
    expect(parseEnv(keysEnvSchema, base).POKEWATCH_ADMIN_KEY).toBeUndefined();
  });

  it("verifies with SUBGRAPH_SECRET_KEYS when set, with its previous secret during a rotation, and needs one secret", () => {
    const own = "keys-own-secret-of-at-least-32-characters";
    const old = "keys-old-secret-of-at-least-32-characters";
    const env = parseEnv(keysEnvSchema, { SUBGRAPH_SECRET_KEYS: own, SUBGRAPH_SECRET_KEYS_PREVIOUS: old });
    expect(requireSubgraphSecret(env, "keys")).toEqual({ current: own, previous: old });
    expect(() => parseEnv(keysEnvSchema, {})).toThrow(
      /SUBGRAPH_SECRET is missing: required unless SUBGRAPH_SECRET_KEYS/,
    );
  });

  it("refuses any other value, pointing at `pnpm keys secret` and never echoing it", () => {
    const bad = "an-admin-password-of-at-least-32-characters";
    const run = () => parseEnv(keysEnvSchema, { ...base, POKEWATCH_ADMIN_KEY: bad });
    expect(run).toThrow(/POKEWATCH_ADMIN_KEY = "\[redacted\]": .*pnpm keys secret/);
    expect(run).not.toThrow(bad);
  });
});

describe("keys subgraph: logs", () => {
  it("never writes a created, rotated or verified secret to the log, even at trace level", async () => {
    const { logger, lines } = capturingLogger("keys");
    const logged = await createKeysApp({ secret: TEST_SECRET, logger, db });
    try {
      const ask = async <T>(query: string, variables: Record<string, unknown>) =>
        (await signedQuery<T>(logged, query, { variables, identity: admin() })).body;
      const created = await ask<{ createApiKey: KeyWithSecret }>(CREATE, {
        input: { name: "logged", scopes: ["prices:read"] },
      });
      const { secret, apiKey } = created.data!.createApiKey;
      const rotated = await ask<{ rotateApiKey: { secret: string } }>(
        `mutation ($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret } }`,
        { id: apiKey.id },
      );
      const newSecret = rotated.data!.rotateApiKey.secret;
      const verifyBody = JSON.stringify({ secretHash: hashApiKeySecret(newSecret).toString("hex") });
      const verified = await logged.inject({
        method: "POST",
        url: API_KEY_VERIFY_ROUTE,
        headers: {
          "content-type": "application/json",
          ...signIdentity(testIdentity(), TEST_SECRET, {
            audience: "keys",
            method: "POST",
            path: API_KEY_VERIFY_ROUTE,
            body: verifyBody,
          }),
        },
        payload: verifyBody,
      });
      expect(verified.json()).toMatchObject({ key: { keyId: apiKey.id } });
      const log = lines().join("\n");
      expect(lines().length).toBeGreaterThan(0);
      for (const shown of [secret, newSecret]) expect(log).not.toContain(shown.slice(8, 40));
    } finally {
      await logged.close();
    }
  });
});

describe("keys subgraph: its own field limits", () => {
  it("limits createApiKey to 10 an hour per key when the gateway has not counted the call", async () => {
    await db.query(
      `INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, rate_limit_per_minute)
       VALUES ('key_uncounted', 'uncounted', 'pw_live_', 'c0c0', '\\x04', $1, 60)`,
      [[...API_KEY_SCOPES]],
    );
    const uncounted = testIdentity({ keyId: "key_uncounted", scopes: [...API_KEY_SCOPES] });
    const create = (name: string) =>
      signedQuery<{ createApiKey: KeyWithSecret }>(app, CREATE, {
        variables: { input: { name, scopes: ["prices:read"] } },
        identity: uncounted,
      });
    for (let i = 0; i < 10; i += 1) expect((await create(`own ${i}`)).body.errors).toBeUndefined();
    const before = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM api_keys");
    const { body } = await create("eleventh");
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Mutation.createApiKey" });
    expect(Number(body.errors?.[0]?.extensions?.retryAfter)).toBeGreaterThan(0);
    expect(await db.query("SELECT count(*)::int AS count FROM api_keys")).toEqual(before);
    // The same key, counted at the gateway: the subgraph neither counts nor refuses.
    const counted = { ...uncounted, fieldLimitsCounted: true };
    for (let i = 0; i < 3; i += 1) await createKey({ name: `counted ${i}`, scopes: ["prices:read"] }, counted);
  });
});

describe("keys subgraph: a key hands out no more than it has", () => {
  it("refuses a rateLimitPerMinute above the caller's, and an expiry past the caller's", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const caller = await createKey({
      name: "limited admin",
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: 100,
      expiresAt: expiresAt.toISOString(),
    });
    const identity = testIdentity({
      keyId: caller.apiKey.id,
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: 100,
      fieldLimitsCounted: true,
    });
    const ask = (input: Record<string, unknown>) =>
      signedQuery<{ createApiKey: KeyWithSecret }>(app, CREATE, {
        variables: { input: { name: "child", scopes: ["prices:read"], ...input } },
        identity,
      });
    const faster = await ask({ rateLimitPerMinute: 101, expiresAt: expiresAt.toISOString() });
    expect(faster.body.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      argument: "input.rateLimitPerMinute",
    });
    const forever = await ask({ rateLimitPerMinute: 50 });
    expect(forever.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", argument: "input.expiresAt" });
    const within = await ask({ rateLimitPerMinute: 100, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(within.body.errors).toBeUndefined();
  });
});

describe("keys subgraph: create and rotate apply the same rules, and only for a caller active now", () => {
  const ROTATE = `mutation ($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret } }`;
  const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { status } }`;
  const soon = () => new Date(Date.now() + 3_600_000).toISOString();
  /** A key that manages keys, created by the admin, and the identity the gateway would sign for it. */
  async function manager(input: Record<string, unknown>) {
    const created = await createKey({ name: "manager", scopes: ["keys:admin", "prices:read"], ...input });
    const identity = testIdentity({
      keyId: created.apiKey.id,
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: created.apiKey.rateLimitPerMinute,
      fieldLimitsCounted: true,
    });
    return { id: created.apiKey.id, identity };
  }

  it("a key without its own rate gets RATE_LIMIT_RPM, which the caller must allow too", async () => {
    const slow = await manager({ rateLimitPerMinute: 5, expiresAt: soon() });
    const { body } = await signedQuery(app, CREATE, {
      variables: { input: { name: "default rate", scopes: ["prices:read"], expiresAt: soon() } },
      identity: slow.identity,
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", argument: "input.rateLimitPerMinute" });
    expect(body.errors?.[0]?.message).toContain("rateLimitPerMinute 60: the calling key allows 5");
  });

  it("refuses to rotate a key faster or longer-lived than the caller, and rotates one within it", async () => {
    const limited = await manager({ rateLimitPerMinute: 5, expiresAt: soon() });
    const rotate = (id: string) => signedQuery(app, ROTATE, { variables: { id }, identity: limited.identity });

    const faster = await createKey({ name: "fast", scopes: ["prices:read"], rateLimitPerMinute: 60 });
    const tooFast = await rotate(faster.apiKey.id);
    expect(tooFast.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", argument: "id" });
    expect(tooFast.body.errors?.[0]?.message).toContain("rateLimitPerMinute 60: the calling key allows 5");

    const forever = await createKey({ name: "forever", scopes: ["prices:read"], rateLimitPerMinute: 5 });
    const tooLong = await rotate(forever.apiKey.id);
    expect(tooLong.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", argument: "id" });
    expect(tooLong.body.errors?.[0]?.message).toMatch(/outlasts the calling key \(it never expires/);

    const within = await createKey({
      name: "within",
      scopes: ["prices:read"],
      rateLimitPerMinute: 5,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await rotate(within.apiKey.id)).body.errors).toBeUndefined();
  });

  it.each([
    ["revoked", "UPDATE api_keys SET revoked_at = now() WHERE id = $1"],
    ["expired", "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1"],
  ])(
    "refuses create, rotate and revoke to a caller %s in the database, whatever its signed identity says",
    async (state, sql) => {
      const caller = await manager({});
      const target = await createKey({ name: "target", scopes: ["prices:read"] });
      await db.query(sql, [caller.id]);
      const attempts = [
        signedQuery(app, CREATE, {
          variables: { input: { name: "replacement", scopes: ["prices:read"] } },
          identity: caller.identity,
        }),
        signedQuery(app, ROTATE, { variables: { id: target.apiKey.id }, identity: caller.identity }),
        signedQuery(app, REVOKE, { variables: { id: target.apiKey.id }, identity: caller.identity }),
      ];
      for (const { body } of await Promise.all(attempts)) {
        expect(body.data ?? null).toBeNull();
        expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        expect(body.errors?.[0]?.message).toContain(`The calling key ${caller.id} is ${state}`);
      }
      const [row] = await db.query<{ status: string }>(
        "SELECT (revoked_at IS NULL) AS active FROM api_keys WHERE id = $1",
        [target.apiKey.id],
      );
      expect(row).toEqual({ active: true });
    },
  );
});
