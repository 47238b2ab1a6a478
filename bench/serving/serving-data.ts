import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMigrations, type Database } from "@pokewatch/kit";
import { createIsolatedPostgres } from "@pokewatch/kit/testing";
import {
  createCatalog,
  createMarketSimulator,
  createPriceStore,
  marketMigrations,
  simulatedCatalogData,
  simulationCatalog,
  type Catalog,
  type PriceSeries,
} from "@pokewatch/market";
import {
  buildPriceDataset,
  catalogAttributes,
  createModelRegistry,
  modelMigrations,
  toModelVersion,
  trainFairPriceModel,
} from "@pokewatch/model";

/** Simulated market for the serving benchmarks: prices in PostgreSQL and a production model. */
export interface ServingData {
  db: Database;
  /** The PostgreSQL schema holding it (the server process opens its own pool on it). */
  schema: string;
  dataDir: string;
  catalog: Catalog;
  cardIds: string[];
  /** The last simulated day: every card has a price on it. */
  lastDay: string;
  modelTrees: number;
  close(): Promise<void>;
}

const TRAINING_CARDS = 3000;

/**
 * `cards` × `days` of simulated prices in a fresh PostgreSQL schema, and a model trained on the
 * first 3,000 of them with `trees` trees (a model of realistic size) registered as production.
 */
export async function prepareServingData({
  cards,
  days,
  trees,
}: {
  cards: number;
  days: number;
  trees: number;
}): Promise<ServingData> {
  const pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "market", marketMigrations());
  await runMigrations(pg.db, "model", modelMigrations());
  // The simulator's cards (SIMULATED_SETS, then clones), so every simulated id resolves.
  const catalog = createCatalog(simulatedCatalogData(cards, simulationCatalog()));
  const simulator = createMarketSimulator({ cards, days, seed: 1 });
  const store = createPriceStore(pg.db);
  const training: PriceSeries[] = [];
  for (let start = 0; start < cards; start += 1000) {
    const chunk: PriceSeries[] = [];
    for (let i = start; i < Math.min(cards, start + 1000); i++) {
      chunk.push({ cardId: simulator.cards[i]!.id, points: simulator.simulateCardSeries(i) });
    }
    await store.upsert(chunk.flatMap((series) => series.points));
    if (training.length < TRAINING_CARDS) training.push(...chunk.slice(0, TRAINING_CARDS - training.length));
    process.stderr.write(`\r  stored ${Math.min(cards, start + 1000)} / ${cards} cards`);
  }
  process.stderr.write("\n");
  const data = buildPriceDataset(training, catalogAttributes(catalog));
  const model = trainFairPriceModel(data, { sources: ["simulator seed=1"], trees });
  const { newVersion } = await toModelVersion(model, data);
  const dataDir = mkdtempSync(join(tmpdir(), "pokewatch-bench-"));
  const registry = createModelRegistry({ db: pg.db });
  await registry.register(newVersion, { stage: "PRODUCTION" });
  return {
    db: pg.db,
    schema: pg.schema,
    dataDir,
    catalog,
    cardIds: simulator.cards.map((card) => card.id),
    lastDay: simulator.dates.at(-1)!,
    modelTrees: model.ensemble.trees.length,
    async close() {
      await pg.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
