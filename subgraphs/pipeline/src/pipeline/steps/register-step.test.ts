import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import { createPriceStore, loadBundledCatalog } from "@pokewatch/market";
import {
  createModelRegistry,
  modelMigrations,
  sha256Hex,
  type ModelRegistry,
  type NewModelVersion,
} from "@pokewatch/model";
import { newModelVersionFixture } from "@pokewatch/model/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findByArtifact, registerStep } from "./register-step.js";
import { DEFAULT_PIPELINE_OPTIONS, type StepContext } from "./step.js";

let db: Database;
let dataDir: string;
let registry: ModelRegistry;

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "model", modelMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "register-step-"));
  registry = createModelRegistry({ db });
});
afterAll(async () => {
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.exec("TRUNCATE model_versions, model_artifacts");
});

const context = (): StepContext => ({
  db,
  prices: createPriceStore(db),
  registry,
  catalog: loadBundledCatalog(),
  logger: silentLogger(),
  dataDir,
  clock: () => new Date("2026-01-01T05:00:00Z"),
  options: DEFAULT_PIPELINE_OPTIONS,
  runId: "run_register_test",
});

const register = (newVersion: NewModelVersion) =>
  registerStep.run(context(), { train: { newVersion, onnxMaxAbsDiff: 0, trees: 5 } });

describe("register step", () => {
  it("registers a new artifact as STAGING", async () => {
    const { output, message, outputHash } = await register(newModelVersionFixture(1));
    expect(output).toEqual({ modelVersionId: expect.stringMatching(/^mv_/), reused: false });
    const stored = await registry.get(output.modelVersionId);
    expect(stored).toMatchObject({ stage: "STAGING", version: 1 });
    expect(message).toBe(`registered ${output.modelVersionId} (version 1) as STAGING`);
    expect(outputHash).toBe(sha256Hex(Buffer.from(JSON.stringify(output))));
    expect(registerStep.cacheable).toBe(false);
  });

  it("reuses the version that holds the same artifact bytes, and says so", async () => {
    const first = await register(newModelVersionFixture(1));
    await register(newModelVersionFixture(2));
    // Same bytes, other metrics: still the same model.
    const again = await register(newModelVersionFixture(1, { metrics: newModelVersionFixture(3).metrics }));
    expect(again.output).toEqual({ modelVersionId: first.output.modelVersionId, reused: true });
    const sha = sha256Hex(newModelVersionFixture(1).artifact);
    expect(again.message).toBe(
      `reused ${first.output.modelVersionId} (version 1, STAGING): the same artifact (sha256 ${sha.slice(0, 12)}…) is already registered`,
    );
    expect((await registry.list()).edges).toHaveLength(2);
  });

  it("restores the bytes of a reused version whose artifact was lost, so it can be served again", async () => {
    const first = await register(newModelVersionFixture(1));
    const version = (await registry.get(first.output.modelVersionId))!;
    await db.exec("DELETE FROM model_artifacts");
    await expect(registry.loadArtifact(version)).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    const again = await register(newModelVersionFixture(1));
    expect(again.output).toEqual({ modelVersionId: version.id, reused: true });
    expect(await registry.loadArtifact(version)).toEqual(newModelVersionFixture(1).artifact);
  });

  it("reuses an archived version too, keeping it archived, and says promote will leave it alone", async () => {
    const first = await register(newModelVersionFixture(1));
    await registry.archive(first.output.modelVersionId);
    const again = await register(newModelVersionFixture(1));
    expect(again.output).toEqual({ modelVersionId: first.output.modelVersionId, reused: true });
    expect(again.message).toMatch(
      /\(version 1, ARCHIVED\): .* is already registered; it was retired, so it will not be promoted automatically$/,
    );
    expect((await registry.get(first.output.modelVersionId))?.stage).toBe("ARCHIVED");
  });

  it("finds the artifact beyond the first page of versions, preferring the production one", async () => {
    const artifact = newModelVersionFixture(1).artifact;
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    for (let seed = 2; seed <= 102; seed++) await registry.register(newModelVersionFixture(seed));
    await registry.register(newModelVersionFixture(1));
    expect((await findByArtifact(registry, sha256Hex(artifact)))?.id).toBe(old.id);
    expect(await findByArtifact(registry, sha256Hex(new Uint8Array([1, 2, 3])))).toBeNull();
  });
});
