import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database, type Queryable } from "@pokewatch/kit";
import { createIsolatedPostgres } from "@pokewatch/kit/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modelMigrations } from "./model-migrations.js";
import { createModelRegistry, type ModelRegistry } from "./model-registry.js";
import { newModelVersionFixture } from "./model-version.fixture.js";
import type { NewModelVersion } from "./model-version.js";

interface Backend {
  db: Database;
  /** A second pool on the same tables, as another replica would have; absent for PGlite. */
  connectAnother?: () => Database;
  close: () => Promise<void>;
}

const backends: [string, () => Promise<Backend>][] = [
  [
    "PostgreSQL",
    async () => {
      const pg = await createIsolatedPostgres();
      return { db: pg.db, connectAnother: () => pg.connectAnother(), close: () => pg.drop() };
    },
  ],
  [
    "PGlite",
    async () => {
      const db = await createPgliteDatabase();
      return { db, close: () => db.close() };
    },
  ],
];

const error = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("resolved"),
    (e: unknown) => e,
  );

/** The same database, except that inserting a model version fails inside the transaction. */
function failingInserts(db: Database): Database {
  const faulty = (tx: Queryable): Queryable => ({
    ...tx,
    query: <Row>(sql: string, params?: unknown[]) =>
      /^\s*INSERT INTO model_versions/.test(sql)
        ? Promise.reject(new Error("could not extend file: No space left on device"))
        : tx.query<Row>(sql, params),
  });
  return { ...db, transaction: (work) => db.transaction((tx) => work(faulty(tx))) };
}

describe.each(backends)("model registry on %s", (_name, open) => {
  let backend: Backend;
  let registry: ModelRegistry;
  const stages = async () =>
    backend.db.query<{ version: number; stage: string }>("SELECT version, stage FROM model_versions ORDER BY version");
  const storedArtifacts = async () =>
    (await backend.db.query<{ sha256: string }>("SELECT sha256 FROM model_artifacts ORDER BY sha256")).map(
      (row) => row.sha256,
    );

  beforeAll(async () => {
    backend = await open();
    await runMigrations(backend.db, "model", modelMigrations());
  });
  afterAll(async () => {
    await backend?.close();
  });
  beforeEach(async () => {
    await backend.db.exec("TRUNCATE model_versions, model_artifacts");
    registry = createModelRegistry({ db: backend.db });
  });

  it("registers a version that reads back field for field, with its artifact", async () => {
    const input = newModelVersionFixture(1);
    const registered = await registry.register(input);
    expect(registered).toEqual({
      id: expect.stringMatching(/^mv_[0-9a-z]{22}$/),
      version: 1,
      stage: "STAGING",
      createdAt: expect.any(Date),
      artifactSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      artifactBytes: input.artifact.byteLength,
      features: input.features,
      trainingSummary: input.trainingSummary,
      metrics: input.metrics,
      interval: input.interval,
    });
    expect(await registry.get(registered.id)).toEqual(registered);
    expect(await storedArtifacts()).toEqual([registered.artifactSha256]);
    expect(await registry.loadArtifact(registered)).toEqual(input.artifact);
    expect(await registry.get("mv_unknown")).toBeNull();
    expect(await registry.production()).toBeNull();
  });

  it("numbers versions 1, 2, 3 and lists them newest first, page by page", async () => {
    for (const seed of [1, 2, 3]) await registry.register(newModelVersionFixture(seed));
    await registry.promote((await registry.list({ first: 1 })).edges[0]!.node.id);

    const first = await registry.list({ first: 2 });
    expect(first.edges.map((e) => e.node.version)).toEqual([3, 2]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1]!.cursor });
    const second = await registry.list({ first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.version)).toEqual([1]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect((await registry.list({ stage: "STAGING" })).edges.map((e) => e.node.version)).toEqual([2, 1]);
    expect((await registry.list({ stage: "ARCHIVED" })).edges).toEqual([]);

    expect(await error(registry.list({ after: "not-a-cursor" }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await error(registry.list({ first: 0 }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await error(registry.list({ first: 101 }))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("promotes one version at a time and rolls back by promoting the archived one", async () => {
    const v1 = await registry.register(newModelVersionFixture(1));
    const v2 = await registry.register(newModelVersionFixture(2));
    const v3 = await registry.register(newModelVersionFixture(3));
    expect(await registry.promote(v1.id)).toMatchObject({ id: v1.id, stage: "PRODUCTION" });
    expect((await registry.promote(v2.id)).stage).toBe("PRODUCTION");
    expect(await stages()).toEqual([
      { version: v1.version, stage: "ARCHIVED" },
      { version: v2.version, stage: "PRODUCTION" },
      { version: v3.version, stage: "STAGING" },
    ]);
    // Rollback: the archived version comes back, the one that replaced it is archived.
    await registry.promote(v1.id);
    expect((await registry.production())?.id).toBe(v1.id);
    expect((await registry.get(v2.id))?.stage).toBe("ARCHIVED");
    // Promoting the production version again changes nothing.
    expect((await registry.promote(v1.id)).stage).toBe("PRODUCTION");

    expect((await registry.archive(v1.id)).stage).toBe("ARCHIVED");
    expect(await registry.production()).toBeNull();

    for (const change of [(id: string) => registry.promote(id), (id: string) => registry.archive(id)]) {
      expect(await error(change("mv_nope"))).toMatchObject({
        name: "ModelVersionNotFoundError",
        code: "MODEL_VERSION_NOT_FOUND",
        id: "mv_nope",
      });
    }
  });

  it("promotes only if production still is the expected version", async () => {
    const v1 = await registry.register(newModelVersionFixture(1));
    const v2 = await registry.register(newModelVersionFixture(2));
    const v3 = await registry.register(newModelVersionFixture(3));
    // No production model yet: expecting one refuses, expecting none promotes.
    expect(await registry.promoteIf(v1.id, v3.id)).toMatchObject({
      promoted: false,
      version: { id: v1.id, stage: "STAGING" },
      current: null,
    });
    expect(await registry.promoteIf(v1.id, null)).toMatchObject({
      promoted: true,
      version: { id: v1.id, stage: "PRODUCTION" },
      current: null,
    });
    // Production is v1 now: a comparison made against "none" or v3 is stale.
    for (const stale of [null, v3.id]) {
      expect(await registry.promoteIf(v2.id, stale)).toMatchObject({
        promoted: false,
        version: { id: v2.id, stage: "STAGING" },
        current: { id: v1.id, stage: "PRODUCTION" },
      });
    }
    // The replaced version comes back as it is after the call: archived.
    expect(await registry.promoteIf(v2.id, v1.id)).toMatchObject({
      promoted: true,
      version: { id: v2.id, stage: "PRODUCTION" },
      current: { id: v1.id, stage: "ARCHIVED" },
    });
    // Already production: nothing to do.
    expect(await registry.promoteIf(v2.id, v2.id)).toMatchObject({
      promoted: false,
      version: { id: v2.id, stage: "PRODUCTION" },
      current: { id: v2.id },
    });
    expect(await stages()).toEqual([
      { version: v1.version, stage: "ARCHIVED" },
      { version: v2.version, stage: "PRODUCTION" },
      { version: v3.version, stage: "STAGING" },
    ]);
    expect(await error(registry.promoteIf("mv_nope", null))).toMatchObject({
      name: "ModelVersionNotFoundError",
      id: "mv_nope",
    });
  });

  it("lets one of several concurrent promoteIf calls against the same production model win", async () => {
    const replicas = [registry, createModelRegistry({ db: backend.connectAnother?.() ?? backend.db })];
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidates = [];
    for (const seed of [2, 3, 4, 5, 6]) candidates.push(await registry.register(newModelVersionFixture(seed)));
    const results = await Promise.all(candidates.map((v, i) => replicas[i % 2]!.promoteIf(v.id, old.id)));
    const winners = results.filter((r) => r.promoted);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.version.id;
    // The lock serializes them: every loser ran after the winner and saw it in production.
    for (const r of results.filter((r) => !r.promoted)) expect(r.current?.id).toBe(winner);
    const after = await stages();
    expect(after.filter((row) => row.stage === "PRODUCTION")).toHaveLength(1);
    expect((await registry.production())?.id).toBe(winner);
    expect((await registry.get(old.id))?.stage).toBe("ARCHIVED");
  });

  it("archives the current production when a version is registered straight into production", async () => {
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const fresh = await registry.register(newModelVersionFixture(2), { stage: "PRODUCTION" });
    expect((await registry.production())?.id).toBe(fresh.id);
    expect((await registry.get(old.id))?.stage).toBe("ARCHIVED");
  });

  const bad = newModelVersionFixture(9);
  it.each<[string, NewModelVersion, RegExp]>([
    ["no features", { ...bad, features: [] }, /features must be a non-empty array/],
    ["a repeated feature", { ...bad, features: ["lag_1", "lag_7", "lag_1"] }, /repeated: lag_1/],
    ["a NaN metric", { ...bad, metrics: { ...bad.metrics, mape: Number.NaN } }, /metrics\.mape/],
    [
      "an infinite baseline",
      {
        ...bad,
        metrics: {
          ...bad.metrics,
          baselines: { ...bad.metrics.baselines, lastPrice: { mape: 1, rmse: Infinity, mae: 1 } },
        },
      },
      /metrics\.baselines\.lastPrice\.rmse/,
    ],
    ["an empty artifact", { ...bad, artifact: new Uint8Array(0) }, /artifact must be a non-empty/],
    [
      "an inverted interval",
      { ...bad, interval: { coverage: 0.8, lowLogRatio: 0.2, highLogRatio: -0.2 } },
      /lowLogRatio/,
    ],
    ["a NaN param", { ...bad, trainingSummary: { ...bad.trainingSummary, params: { depth: Number.NaN } } }, /params/],
  ])("rejects %s with a coded error and writes nothing", async (_case, input, message) => {
    await registry.register(newModelVersionFixture(1));
    const failure = await error(registry.register(input));
    expect(failure).toMatchObject({ code: "INVALID_MODEL_VERSION", issues: [expect.stringMatching(message)] });
    expect(await stages()).toEqual([{ version: 1, stage: "STAGING" }]);
    expect(await storedArtifacts()).toHaveLength(1);
  });

  it("rejects an unknown stage before writing anything", async () => {
    const stage = "LIVE" as "PRODUCTION";
    expect(await error(registry.register(newModelVersionFixture(1), { stage }))).toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(await storedArtifacts()).toEqual([]);
  });

  it("leaves no row, and production untouched, when the insert fails", async () => {
    const production = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const broken = createModelRegistry({ db: failingInserts(backend.db) });
    await expect(broken.register(newModelVersionFixture(2), { stage: "PRODUCTION" })).rejects.toThrow(/No space left/);
    expect(await stages()).toEqual([{ version: 1, stage: "PRODUCTION" }]);
    // The bytes went in the same transaction: no orphan artifact either.
    expect(await storedArtifacts()).toEqual([production.artifactSha256]);
    expect((await registry.production())?.id).toBe(production.id);
    // The failed attempt used up no version number.
    expect((await registry.register(newModelVersionFixture(2))).version).toBe(2);
  });

  it("loads a version registered through another connection, sharing nothing but the database", async () => {
    const input = newModelVersionFixture(4);
    const other = createModelRegistry({ db: backend.connectAnother?.() ?? backend.db });
    const registered = await other.register(input, { stage: "PRODUCTION" });
    const production = await registry.production();
    expect(production?.id).toBe(registered.id);
    expect(await registry.loadArtifact(production!)).toEqual(input.artifact);
  });

  it("refuses a stored artifact with a corrupted byte, and one that is missing, with a code", async () => {
    const registered = await registry.register(newModelVersionFixture(5));
    // Flip the first byte in the database itself, as disk rot or a bad restore would.
    await backend.db.query(
      "UPDATE model_artifacts SET bytes = set_byte(bytes, 0, (get_byte(bytes, 0) + 1) % 256) WHERE sha256 = $1",
      [registered.artifactSha256],
    );
    expect(await error(registry.loadArtifact(registered))).toMatchObject({ code: "ARTIFACT_CORRUPTED" });
    await backend.db.query("DELETE FROM model_artifacts WHERE sha256 = $1", [registered.artifactSha256]);
    expect(await error(registry.loadArtifact(registered))).toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    expect(await error(registry.loadArtifact({ artifactSha256: "../etc/passwd" }))).toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("stores the bytes a second version shares once", async () => {
    const input = newModelVersionFixture(6);
    const a = await registry.register(input);
    const b = await registry.register({ ...input, metrics: { ...input.metrics, mape: input.metrics.mape + 1 } });
    expect(b.artifactSha256).toBe(a.artifactSha256);
    expect(await storedArtifacts()).toEqual([a.artifactSha256]);
    expect(await registry.loadArtifact(b)).toEqual(input.artifact);
  });

  it("keeps at most one production version at the database level too", async () => {
    await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const v2 = await registry.register(newModelVersionFixture(2));
    await expect(
      backend.db.query("UPDATE model_versions SET stage = 'PRODUCTION', promoted_at = now() WHERE id = $1", [v2.id]),
    ).rejects.toThrow(/model_versions_one_production/);
  });

  it("gives concurrent registrations distinct consecutive versions", async () => {
    const other = createModelRegistry({ db: backend.connectAnother?.() ?? backend.db });
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const registered = await Promise.all(
      seeds.map((seed) => (seed % 2 ? registry : other).register(newModelVersionFixture(seed))),
    );
    expect(registered.map((v) => v.version).sort((a, b) => a - b)).toEqual(seeds);
  });

  it("ends with exactly one production version after concurrent promotions", async () => {
    const replicas = [registry, createModelRegistry({ db: backend.connectAnother?.() ?? backend.db })];
    const versions = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) versions.push(await registry.register(newModelVersionFixture(seed)));
    for (let round = 0; round < 3; round += 1) {
      const promoted = await Promise.all(versions.map((v, i) => replicas[(i + round) % 2]!.promote(v.id)));
      expect(promoted.every((v) => v.stage === "PRODUCTION")).toBe(true);
      const after = await stages();
      expect(after.filter((row) => row.stage === "PRODUCTION")).toHaveLength(1);
      expect(after.filter((row) => row.stage === "ARCHIVED")).toHaveLength(versions.length - 1);
    }
  });
});

describe("model registry on PGlite, across processes", () => {
  let dataDir: string;
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads, in a fresh database handle on the same data directory, what another one registered", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "model-registry-pglite-"));
    const input = newModelVersionFixture(7);
    const first = await createPgliteDatabase({ dataDir: join(dataDir, "db") });
    await runMigrations(first, "model", modelMigrations());
    const registered = await createModelRegistry({ db: first }).register(input, { stage: "PRODUCTION" });
    await first.close();

    // Only the database directory carries over: no artifact file exists anywhere.
    const second = await createPgliteDatabase({ dataDir: join(dataDir, "db") });
    try {
      const registry = createModelRegistry({ db: second });
      const production = await registry.production();
      expect(production?.id).toBe(registered.id);
      const bytes = await registry.loadArtifact(production!);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes).toEqual(input.artifact);
    } finally {
      await second.close();
    }
  });
});
