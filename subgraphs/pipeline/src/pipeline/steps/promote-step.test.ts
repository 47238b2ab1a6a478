import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database, type Redis } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import { createPriceStore, loadBundledCatalog } from "@pokewatch/market";
import {
  createModelRegistry,
  modelMigrations,
  PRODUCTION_MODEL_CHANNEL,
  type ModelMetrics,
  type ModelRegistry,
} from "@pokewatch/model";
import { newModelVersionFixture } from "@pokewatch/model/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunComparison } from "../pipeline-types.js";
import type { EvaluateOutput } from "./evaluate-step.js";
import { promoteStep } from "./promote-step.js";
import { DEFAULT_PIPELINE_OPTIONS, type StepContext } from "./step.js";

let db: Database;
let dataDir: string;
let registry: ModelRegistry;
let published: [string, string][];

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "model", modelMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "promote-step-"));
  registry = createModelRegistry({ db });
});
afterAll(async () => {
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.exec("TRUNCATE model_versions");
  published = [];
});

/** Just enough of a Redis client to see what was announced. */
const recordingRedis = {
  publish: (channel: string, message: string) => {
    published.push([channel, message]);
    return Promise.resolve(1);
  },
} as unknown as Redis;

const context = (redis?: Redis, registryOfStep: ModelRegistry = registry): StepContext => ({
  db,
  prices: createPriceStore(db),
  registry: registryOfStep,
  catalog: loadBundledCatalog(),
  redis,
  logger: silentLogger(),
  dataDir,
  clock: () => new Date("2026-01-01T05:00:00Z"),
  options: DEFAULT_PIPELINE_OPTIONS,
  runId: "run_promote_test",
});

const metrics = (mape: number): ModelMetrics => ({ ...newModelVersionFixture(1).metrics, mape });

function evaluated(candidateMape: number, production: { id: string; mape: number } | null): EvaluateOutput {
  const comparison: RunComparison = {
    candidate: metrics(candidateMape),
    production: production && metrics(production.mape),
    productionModelId: production?.id ?? null,
    better: production === null || candidateMape < production.mape,
  };
  return { comparison, plots: [] };
}

const promote = (evaluate: EvaluateOutput, modelVersionId: string, redis?: Redis, reused = false) =>
  promoteStep.run(context(redis), { evaluate, register: { modelVersionId, reused } });

describe("promote step", () => {
  it("promotes a better candidate, archives the previous production model and announces the new one", async () => {
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidate = await registry.register(newModelVersionFixture(2));
    const { output, message } = await promote(
      evaluated(0.081, { id: old.id, mape: 0.09 }),
      candidate.id,
      recordingRedis,
    );
    expect(output).toEqual({ promoted: true, previousProductionId: old.id });
    expect(message).toBe(`promoted ${candidate.id} to production (MAPE 8.1 % vs 9.0 %); archived ${old.id}`);
    expect((await registry.production())?.id).toBe(candidate.id);
    expect((await registry.get(old.id))?.stage).toBe("ARCHIVED");
    expect(published).toEqual([[PRODUCTION_MODEL_CHANNEL, candidate.id]]);
    expect(promoteStep.cacheable).toBe(false);
  });

  it("promotes the first model when there is no production one, and without Redis skips the announcement", async () => {
    const candidate = await registry.register(newModelVersionFixture(2));
    const { output, message } = await promote(evaluated(0.081, null), candidate.id);
    expect(output).toEqual({ promoted: true, previousProductionId: null });
    expect(message).toBe(`promoted ${candidate.id} to production (MAPE 8.1 %)`);
    expect((await registry.production())?.id).toBe(candidate.id);
  });

  it("promotes over a production model whose features differed, which evaluate could not score", async () => {
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidate = await registry.register(newModelVersionFixture(2));
    const evaluate = evaluated(0.081, null);
    evaluate.comparison.productionModelId = old.id;
    const { output } = await promote(evaluate, candidate.id);
    expect(output).toEqual({ promoted: true, previousProductionId: old.id });
  });

  it("keeps production when the candidate is not better", async () => {
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidate = await registry.register(newModelVersionFixture(2));
    const { output, message, skipped } = await promote(
      evaluated(0.092, { id: old.id, mape: 0.09 }),
      candidate.id,
      recordingRedis,
    );
    expect(output).toEqual({ promoted: false, previousProductionId: null });
    // The run shows promote as SKIPPED, with this reason.
    expect(skipped).toBe(true);
    expect(message).toBe(`kept ${old.id} in production: the candidate's MAPE 9.2 % is not below 9.0 %`);
    expect((await registry.production())?.id).toBe(old.id);
    expect((await registry.get(candidate.id))?.stage).toBe("STAGING");
    expect(published).toEqual([]);
  });

  it("changes nothing when the candidate already is the production model", async () => {
    const current = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const { output, message } = await promote(
      evaluated(0.09, { id: current.id, mape: 0.09 }),
      current.id,
      recordingRedis,
    );
    expect(output).toEqual({ promoted: false, previousProductionId: null });
    expect(message).toBe(`${current.id} already is the production model (the same artifact was registered before)`);
    expect(published).toEqual([]);
  });

  it("does not promote on a stale comparison, when production changed during the run", async () => {
    const compared = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidate = await registry.register(newModelVersionFixture(2));
    const meanwhile = await registry.register(newModelVersionFixture(3), { stage: "PRODUCTION" });
    const { output, message } = await promote(evaluated(0.081, { id: compared.id, mape: 0.09 }), candidate.id);
    expect(output).toEqual({ promoted: false, previousProductionId: null });
    expect(message).toBe(
      `production changed during the run (compared with ${compared.id}, now ${meanwhile.id}); ${candidate.id} was not promoted, rerun to compare again`,
    );
    expect((await registry.production())?.id).toBe(meanwhile.id);
  });

  it("does not promote when production changes between its check and the promotion (the race)", async () => {
    const compared = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const candidate = await registry.register(newModelVersionFixture(2));
    const meanwhile = await registry.register(newModelVersionFixture(3));
    // An operator promotes by hand right after the step read production, before it promotes.
    const racing: ModelRegistry = {
      ...registry,
      promoteIf: async (id, expected) => {
        await registry.promote(meanwhile.id);
        return registry.promoteIf(id, expected);
      },
    };
    const { output, message, skipped } = await promoteStep.run(context(recordingRedis, racing), {
      evaluate: evaluated(0.081, { id: compared.id, mape: 0.09 }),
      register: { modelVersionId: candidate.id, reused: false },
    });
    expect(output).toEqual({ promoted: false, previousProductionId: null });
    expect(skipped).toBe(true);
    expect(message).toBe(
      `production changed during the run (compared with ${compared.id}, now ${meanwhile.id}); ${candidate.id} was not promoted, rerun to compare again`,
    );
    expect((await registry.production())?.id).toBe(meanwhile.id);
    expect((await registry.get(candidate.id))?.stage).toBe("STAGING");
    expect(published).toEqual([]);
  });

  it("does not re-promote a version an operator rolled back from, even when it compares better", async () => {
    const old = await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" });
    const retired = await registry.register(newModelVersionFixture(2));
    await registry.promote(retired.id);
    await registry.promote(old.id); // the rollback: `retired` is ARCHIVED again
    // The next run on unchanged data trains the same bytes; register reuses the archived version.
    const { output, message, skipped } = await promote(
      evaluated(0.081, { id: old.id, mape: 0.09 }),
      retired.id,
      recordingRedis,
      true,
    );
    expect(output).toEqual({ promoted: false, previousProductionId: null });
    expect(skipped).toBe(true);
    expect(message).toBe(
      `${retired.id} was retired (rolled back); promote it by hand with promoteModel if wanted. Kept ${old.id} in production`,
    );
    expect((await registry.production())?.id).toBe(old.id);
    expect((await registry.get(retired.id))?.stage).toBe("ARCHIVED");
    expect(published).toEqual([]);
  });

  it("fails when the registered version is gone", async () => {
    await expect(promote(evaluated(0.081, null), "mv_gone")).rejects.toThrow("mv_gone is no longer in the registry");
  });
});
