import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { capturingLogger, createIsolatedPostgres } from "@pokewatch/kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Hex } from "./artifact-store.js";
import { importFileArtifacts } from "./import-file-artifacts.js";
import { migrateModelRegistry, modelMigrations } from "./model-migrations.js";
import { createModelRegistry } from "./model-registry.js";
import { newModelVersionFixture } from "./model-version.fixture.js";

const backends: [string, () => Promise<{ db: Database; close: () => Promise<void> }>][] = [
  [
    "PostgreSQL",
    async () => {
      const pg = await createIsolatedPostgres();
      return { db: pg.db, close: () => pg.drop() };
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

/** A version row as a registry before model migration 2 left it: its bytes only in a file. */
async function insertFileOnlyVersion(db: Database, version: number, sha256: string, bytes: number) {
  const fixture = newModelVersionFixture(version);
  await db.query(
    `INSERT INTO model_versions (id, version, stage, artifact_sha256, artifact_bytes, features, training_summary,
       metrics, prediction_interval)
     VALUES ($1, $2, 'STAGING', $3, $4, $5::text[], $6::jsonb, $7::jsonb, $8::jsonb)`,
    [
      `mv_legacy${version}`,
      version,
      sha256,
      bytes,
      fixture.features,
      JSON.stringify(fixture.trainingSummary),
      JSON.stringify(fixture.metrics),
      JSON.stringify(fixture.interval),
    ],
  );
}

describe.each(backends)("importFileArtifacts on %s", (_name, open) => {
  let dataDir: string;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("moves file artifacts into the database once, reporting missing and corrupted files", async () => {
    const backend = await open();
    close = backend.close;
    const { db } = backend;
    // The registry as it was before the artifacts moved: model migration 1 only.
    await runMigrations(db, "model", modelMigrations().slice(0, 1));
    dataDir = mkdtempSync(join(tmpdir(), "import-artifacts-"));
    mkdirSync(join(dataDir, "models"));
    const good = new TextEncoder().encode("onnx graph kept on disk");
    const damaged = new TextEncoder().encode("onnx graph that rotted");
    const gone = new TextEncoder().encode("onnx graph whose file was lost");
    writeFileSync(join(dataDir, "models", `${sha256Hex(good)}.onnx`), good);
    writeFileSync(join(dataDir, "models", `${sha256Hex(damaged)}.onnx`), "something else");
    await insertFileOnlyVersion(db, 1, sha256Hex(good), good.byteLength);
    await insertFileOnlyVersion(db, 2, sha256Hex(damaged), damaged.byteLength);
    await insertFileOnlyVersion(db, 3, sha256Hex(gone), gone.byteLength);

    expect(await runMigrations(db, "model", modelMigrations())).toEqual([2]);
    expect(await importFileArtifacts({ db, dataDir })).toEqual({
      imported: [sha256Hex(good)],
      missing: [sha256Hex(gone)],
      corrupted: [sha256Hex(damaged)],
    });
    // The file may go now: the database serves the bytes.
    rmSync(join(dataDir, "models"), { recursive: true });
    const registry = createModelRegistry({ db });
    expect(await registry.loadArtifact((await registry.get("mv_legacy1"))!)).toEqual(good);
    expect(await registry.loadArtifact((await registry.get("mv_legacy3"))!).catch((e: unknown) => e)).toMatchObject({
      code: "ARTIFACT_NOT_FOUND",
    });

    // Idempotent: nothing left to import but what cannot be found.
    expect(await importFileArtifacts({ db, dataDir })).toEqual({
      imported: [],
      missing: [sha256Hex(damaged), sha256Hex(gone)].sort(),
      corrupted: [],
    });
  });
});

describe("migrateModelRegistry", () => {
  let dataDir: string;
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("migrates, imports, and logs what it moved and what it could not find, then starts", async () => {
    const db = await createPgliteDatabase();
    try {
      await runMigrations(db, "model", modelMigrations().slice(0, 1));
      dataDir = mkdtempSync(join(tmpdir(), "migrate-registry-"));
      mkdirSync(join(dataDir, "models"));
      const kept = new TextEncoder().encode("kept");
      const lost = new TextEncoder().encode("lost");
      writeFileSync(join(dataDir, "models", `${sha256Hex(kept)}.onnx`), kept);
      await insertFileOnlyVersion(db, 1, sha256Hex(kept), kept.byteLength);
      await insertFileOnlyVersion(db, 2, sha256Hex(lost), lost.byteLength);

      const { logger, lines } = capturingLogger();
      await migrateModelRegistry(db, { dataDir, logger });
      const logged = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toEqual([
        expect.objectContaining({ level: 30, imported: [sha256Hex(kept)] }),
        expect.objectContaining({ level: 40, missing: [sha256Hex(lost)], corrupted: [] }),
      ]);
      expect(await createModelRegistry({ db }).loadArtifact({ artifactSha256: sha256Hex(kept) })).toEqual(kept);
    } finally {
      await db.close();
    }
  });
});
