import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { capturingLogger } from "@pokewatch/kit/testing";
import { createCatalog, loadBundledCatalog, marketMigrations, simulatedCatalogData } from "@pokewatch/market";
import { fakePokemonTcgHandler, startFakeProviderServer } from "@pokewatch/market/testing";
import { modelMigrations } from "@pokewatch/model";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pipelineMigrations } from "../pipeline-app.js";
import { trainFirstModel } from "./first-model.js";
import { createPipelineService } from "./pipeline-service.js";
import { STEP_NAMES } from "./pipeline-types.js";
import { DEFAULT_COLLECT_OPTIONS } from "./collect/collect-options.js";

const catalog = createCatalog(simulatedCatalogData(15, loadBundledCatalog()));

let db: Database;
let dataDir: string;
beforeEach(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db, "model", modelMigrations());
  await runMigrations(db, "market", marketMigrations());
  await runMigrations(db, "pipeline", pipelineMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "first-model-"));
});
afterEach(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const logged = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("trainFirstModel", () => {
  it("trains once on an empty registry, logging every step, then finds the model present", async () => {
    const { logger, lines } = capturingLogger();
    const options = { db, dataDir, logger, catalog, options: { trees: 5 } };
    expect(await trainFirstModel(options)).toBe("trained");
    const entries = logged(lines());
    for (const step of STEP_NAMES) {
      expect(entries).toContainEqual(expect.objectContaining({ step, msg: `pipeline: ${step} started` }));
      expect(entries).toContainEqual(
        expect.objectContaining({ level: 30, step, status: "SUCCEEDED", durationMs: expect.any(Number) }),
      );
    }
    expect(entries).toContainEqual(expect.objectContaining({ step: "train", progress: "fit: 5/5 trees" }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: "first model trained", model: expect.any(String) }));

    const again = capturingLogger();
    expect(await trainFirstModel({ ...options, logger: again.logger })).toBe("present");
    expect(again.lines()).toEqual([]);
    expect(await db.query("SELECT id FROM pipeline_runs")).toHaveLength(1);
  });

  it("on the first day with internet: collects one real day, has nothing to train on yet, and the run succeeds", async () => {
    const updated = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const server = await startFakeProviderServer(
      fakePokemonTcgHandler({ catalog, updatedAt: updated.replace(/-/g, "/") }),
    );
    try {
      const { logger, lines } = capturingLogger();
      const collect = {
        ...DEFAULT_COLLECT_OPTIONS,
        source: "auto" as const,
        pokemontcg: { baseUrl: `${server.url}/v2` },
      };
      const service = createPipelineService({ db, dataDir, logger, catalog, options: { collect, trees: 5 } });
      expect(await trainFirstModel({ service, logger })).toBe("failed");

      const {
        runs: [run],
      } = await service.store.list({ first: 1 });
      const steps = await service.store.steps(run!.id);
      expect(run).toMatchObject({ status: "SUCCEEDED", error: null, producedModelId: null, promoted: false });
      expect(steps.map((step) => `${step.name} ${step.status}`)).toEqual([
        ...["collect SUCCEEDED", "ingest SUCCEEDED", "validate SUCCEEDED", "features SKIPPED"],
        ...["train SKIPPED", "evaluate SKIPPED", "register SKIPPED", "promote SKIPPED"],
      ]);
      expect(steps[0]!.message).toContain(`pokemontcg.io: 1 of 1 set collected (${catalog.cards().length} prices`);
      expect(steps[0]!.message).not.toContain("simulat");
      expect(steps[3]!.message).toMatch(
        /^not enough history to train yet: .* is 1 day, and training needs more than 7/,
      );
      expect(await service.registry.production()).toBeNull();
      // Real prices are stored, dated by the provider's update, and nothing simulated.
      const sources = await db.query<{ source: string; date: string }>(
        "SELECT DISTINCT source, date::text AS date FROM price_points",
      );
      expect(sources).toEqual([{ source: "pokemontcg.io", date: updated }]);
      const entries = logged(lines());
      expect(entries.filter((entry) => (entry.level as number) >= 50)).toEqual([]);
      expect(entries).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(/^no model yet: the run had too little price history/),
        }),
      );
    } finally {
      await server.close();
    }
  });

  it("logs an error and resolves 'failed' when the run fails", async () => {
    const { logger, lines } = capturingLogger();
    const outcome = await trainFirstModel({ db, dataDir, logger, catalog, options: { simulateIfEmpty: false } });
    expect(outcome).toBe("failed");
    const error = logged(lines()).find((entry) => entry.level === 50);
    expect(error).toMatchObject({ error: expect.stringMatching(/^ingest: no prices stored/) });
    expect(error?.msg).toContain("MODEL_UNAVAILABLE");
  });

  it("resolves 'busy' without throwing while another run is active", async () => {
    const service = createPipelineService({
      db,
      dataDir,
      logger: capturingLogger().logger,
      catalog,
      options: { trees: 5 },
    });
    // A run this process is running (a scheduled one, say) when the first-model check comes.
    const { run: active, done } = await service.runner.trigger("MANUAL");
    const { logger, lines } = capturingLogger();
    expect(await trainFirstModel({ service, logger })).toBe("busy");
    expect(logged(lines()).at(-1)).toMatchObject({ level: 30, err: { message: expect.stringContaining(active.id) } });
    await done;
  });
});
