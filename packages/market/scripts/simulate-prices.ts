/**
 * Writes a seeded, simulated price history as CSV in the shared format, for load tests and demos.
 * Never evidence of accuracy: see docs/simulator.md.
 *
 *   pnpm data:simulate --cards N --days D --seed S [--end YYYY-MM-DD] [--out FILE] [--stats]
 */
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { PricePoint } from "../src/prices/price-point.js";
import { createMarketStats } from "../src/simulator/market-stats.js";
import { writePriceCsv } from "../src/simulator/price-csv-writer.js";
import {
  SIMULATION_DEFAULT_END_DATE,
  createMarketSimulator,
  simulateMarketProblems,
} from "../src/simulator/simulate-market.js";

const USAGE = `usage: pnpm data:simulate --cards N --days D --seed S [--end YYYY-MM-DD] [--out FILE] [--stats]
  --cards  how many cards (the 2,080 of SIMULATED_SETS, then clones)
  --days   how many calendar days, ending on --end
  --seed   integer; the same seed gives the same bytes
  --end    last day (default ${SIMULATION_DEFAULT_END_DATE}, never today)
  --out    CSV file to write (default: stdout)
  --stats  also print the calibration figures of docs/simulator.md to stderr as JSON`;

function fail(problems: string[]): never {
  process.stderr.write(`${problems.map((problem) => `simulate-prices: ${problem}`).join("\n")}\n${USAGE}\n`);
  process.exit(1);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        cards: { type: "string" },
        days: { type: "string" },
        seed: { type: "string" },
        end: { type: "string" },
        out: { type: "string" },
        stats: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail([(error as Error).message]);
  }
}

const args = parseCommandLine();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const problems: string[] = [];
function integerArg(name: "cards" | "days" | "seed"): number | null {
  const raw = args[name];
  if (raw === undefined) problems.push(`--${name} is required`);
  else if (!/^-?\d+$/.test(raw.trim())) problems.push(`--${name} must be an integer; got ${JSON.stringify(raw)}`);
  else return Number(raw);
  return null;
}
const [cards, days, seed] = [integerArg("cards"), integerArg("days"), integerArg("seed")];
const options = { cards: cards ?? 1, days: days ?? 1, seed: seed ?? 0, endDate: args.end };
for (const { option, problem } of simulateMarketProblems(options)) {
  problems.push(`--${option === "endDate" ? "end" : option} ${problem}`);
}
if (problems.length > 0) fail(problems);

const started = performance.now();
const simulator = createMarketSimulator(options);
const rarityById = new Map(simulator.cards.map((card) => [card.id, card.rarity]));
const stats = args.stats ? createMarketStats((id) => rarityById.get(id) ?? null) : null;

// Whole series, not single points: three generator layers per point cost seconds at 7.3 M points.
function* cardSeries(): Generator<PricePoint[]> {
  for (let i = 0; i < simulator.cards.length; i++) {
    const series = simulator.simulateCardSeries(i);
    stats?.add(series);
    yield series;
  }
}

// pnpm runs scripts from the repository root; a relative --out means where the user typed it.
const outPath = args.out === undefined ? null : resolve(process.env.INIT_CWD ?? process.cwd(), args.out);
const out = outPath === null ? process.stdout : createWriteStream(outPath);
try {
  const rows = await writePriceCsv(cardSeries(), out, { end: outPath !== null });
  const ms = Math.round(performance.now() - started);
  const span = `${simulator.dates[0]}..${simulator.dates.at(-1)}`;
  process.stderr.write(
    `simulated ${simulator.cards.length} cards × ${simulator.dates.length} days = ${rows} points in ${ms} ms ` +
      `(seed ${options.seed}, ${span}) → ${outPath ?? "stdout"}\n`,
  );
  if (stats) process.stderr.write(`${JSON.stringify(stats.summary(), null, 2)}\n`);
} catch (error) {
  // A closed pipe (`| head`) is the reader's choice, not a failure.
  if ((error as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
  process.stderr.write(`simulate-prices: ${(error as Error).message}\n`);
  process.exit(1);
}
