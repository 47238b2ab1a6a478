import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMigrations } from "@pokewatch/kit";
import { createIsolatedPostgres, silentLogger, type IsolatedPostgres } from "@pokewatch/kit/testing";
import {
  createCatalog,
  createMarketSimulator,
  createPriceStore,
  loadBundledCatalog,
  marketMigrations,
  simulatedCatalogData,
  type PricePoint,
} from "@pokewatch/market";
import { modelMigrations } from "@pokewatch/model";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pipelineMigrations } from "../pipeline-app.js";
import { createPipelineService, type PipelineService } from "./pipeline-service.js";

// validate through the whole pipeline on prices stored in PostgreSQL: what the store lets in
// (days missing, a NaN market price) must fail the run at validate, before anything trains.
const catalog = createCatalog(simulatedCatalogData(12, loadBundledCatalog()));
let pg: IsolatedPostgres;
let dataDir: string;
let service: PipelineService;

beforeAll(async () => {
  pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "model", modelMigrations());
  await runMigrations(pg.db, "market", marketMigrations());
  await runMigrations(pg.db, "pipeline", pipelineMigrations());
  dataDir = mkdtempSync(join(tmpdir(), "validate-pipeline-"));
  service = createPipelineService({
    db: pg.db,
    dataDir,
    logger: silentLogger(),
    catalog,
    // Nothing is simulated: the run must train on what was stored, or fail.
    options: { trees: 5, simulateIfEmpty: false },
  });
});
beforeEach(async () => {
  await pg.db.query("DELETE FROM price_points");
});
afterAll(async () => {
  await service?.runner.idle();
  await pg?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** 12 cards × 60 days of simulated prices, as an import would store them. */
function simulatedPoints(): PricePoint[] {
  const simulator = createMarketSimulator({ cards: 12, days: 60, seed: 7, endDate: "2026-11-27", catalog });
  return simulator.cards.flatMap((_, i) => simulator.simulateCardSeries(i));
}

async function runPipeline() {
  const { run, done } = await service.runner.trigger("MANUAL");
  const outcome = await done;
  const steps = await service.store.steps(run.id);
  return {
    outcome,
    run: await service.store.findById(run.id),
    statuses: Object.fromEntries(steps.map((step) => [step.name, step.status])),
    validate: steps.find((step) => step.name === "validate")!,
  };
}

const LATER_STEPS_SKIPPED = {
  features: "SKIPPED",
  train: "SKIPPED",
  evaluate: "SKIPPED",
  register: "SKIPPED",
  promote: "SKIPPED",
};

describe("validate on stored prices, through the pipeline", () => {
  it("fails the run on too many missing days, naming the share and the threshold", async () => {
    // Two days of every three dropped: about two thirds of each card's days are missing.
    const gappy = simulatedPoints().filter((_, i) => i % 3 === 0);
    await createPriceStore(pg.db).upsert(gappy);

    const { outcome, run, statuses, validate } = await runPipeline();

    expect(outcome.status).toBe("FAILED");
    expect(run?.status).toBe("FAILED");
    expect(statuses).toEqual({ collect: "SUCCEEDED", ingest: "SUCCEEDED", validate: "FAILED", ...LATER_STEPS_SKIPPED });
    expect(validate.message).toMatch(
      /^6\d\.\d % of days missing between each card's first and last price \(.+\) — at most 50\.0 % allowed \(maxGapShare\)$/,
    );
    expect(outcome.error).toBe(`validate: ${validate.message}`);
    expect(await service.registry.production()).toBeNull();
  });

  it("fails the run on a stored NaN market price, naming it", async () => {
    const points = simulatedPoints();
    const broken = points[5]!;
    points[5] = { ...broken, market: Number.NaN };
    const accepted = await createPriceStore(pg.db)
      .upsert(points)
      .then(
        () => true,
        () => false,
      );
    // PostgreSQL's numeric holds NaN, and `NaN > 0` is true there: the CHECK lets it in.
    expect(accepted).toBe(true);

    const { outcome, run, statuses, validate } = await runPipeline();

    expect(outcome.status).toBe("FAILED");
    expect(run?.status).toBe("FAILED");
    // The same day, the same sets, nothing to fetch under the simulator: collect comes from the cache.
    expect(statuses).toEqual({ collect: "CACHED", ingest: "SUCCEEDED", validate: "FAILED", ...LATER_STEPS_SKIPPED });
    expect(validate.message).toBe(
      `1 non-positive prices (e.g. ${broken.cardId} on ${broken.date}: NaN) — prices must be > 0`,
    );
  });

  it("passes the same prices without the gaps or the NaN, and trains", async () => {
    await createPriceStore(pg.db).upsert(simulatedPoints());
    const { outcome, statuses } = await runPipeline();
    expect(outcome).toEqual({ status: "SUCCEEDED", error: null });
    expect(statuses).toMatchObject({ ingest: "SUCCEEDED", validate: "SUCCEEDED", train: "SUCCEEDED" });
  });
});
