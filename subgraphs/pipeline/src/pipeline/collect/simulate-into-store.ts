import {
  SIMULATED_SETS,
  createMarketSimulator,
  formatIsoDay,
  parseIsoDay,
  simulateMarketProblems,
  simulationCatalog,
  type PricePoint,
} from "@pokewatch/market";
import { StepFailure, type StepContext } from "../steps/step.js";

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Simulates `simulateDays` days ending the day before `day` for the catalog's cards in
 * SIMULATED_SETS (not all 19,783 cards: a first start stays bounded), stored in one
 * transaction (a half-stored simulation would be read as real data next run). Every point has
 * `source: "simulator"`.
 */
export async function simulateIntoStore(ctx: StepContext, day: string): Promise<string> {
  const { simulateDays: days, simulateSeed: seed } = ctx.options;
  const endDate = formatIsoDay(parseIsoDay(day)! - 1);
  const catalog = simulationCatalog(ctx.catalog);
  if (catalog.size === 0) {
    throw new StepFailure(
      `cannot simulate prices: the catalog holds none of the simulated sets (${SIMULATED_SETS.join(", ")})`,
    );
  }
  const options = { cards: catalog.size, days, seed, endDate, catalog };
  const problems = simulateMarketProblems(options);
  if (problems.length > 0) {
    const names = { cards: "the catalog size", days: "simulateDays", seed: "simulateSeed", endDate: "the end date" };
    throw new StepFailure(
      `cannot simulate prices: ${problems.map((p) => `${names[p.option]} ${p.problem}`).join("; ")}`,
    );
  }
  const simulator = createMarketSimulator(options);
  ctx.progress?.(`simulating ${count(simulator.cards.length)} cards × ${count(days)} days (seed ${seed})`);
  const points: PricePoint[] = [];
  for (let i = 0; i < simulator.cards.length; i++) {
    for (const point of simulator.simulateCardSeries(i)) points.push(point);
  }
  ctx.progress?.(`storing ${count(points.length)} simulated prices`);
  await ctx.prices.upsert(points);
  const span = `${simulator.dates[0]}..${simulator.dates.at(-1)}`;
  return `simulated ${count(simulator.cards.length)} cards × ${count(days)} days (seed ${seed}, ${span})`;
}
