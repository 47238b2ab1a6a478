import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_GBDT_PARAMS,
  errorMetrics,
  FEATURE_COUNT,
  FEATURE_NAMES,
  loadPriceFile,
  predictEnsemble,
  splitByTime,
  takeRows,
  trainGbdt,
  type PriceDataset,
  type TrainingSet,
} from "@pokewatch/model";
import { round, type BenchResult } from "./bench-report.js";

const DAILY = join(import.meta.dirname, "../../shared/data/prices/tcgplayer_daily_2025-05-29_to_2025-07-01.csv");
const SET_FEATURES = 3;

/**
 * Why the model ties last price on the daily file: an upper bound no product would be allowed.
 * Trees are trained on every row known before the test and their number is chosen ON THE TEST
 * ROWS, with and without set-level features (mean 1- and 7-day return of the card's set, share of
 * the set that moved that day); plus the naive mean-reversion forecast (the 7-day median) on
 * cards more than 10 % below it. Research only: docs/model.md cites these numbers.
 */
export async function dailyUpperBoundBench(): Promise<BenchResult> {
  if (!existsSync(DAILY)) throw new Error(`daily-upper-bound needs ${DAILY}`);
  const { data } = await loadPriceFile(DAILY);
  const split = splitByTime(data);
  const last = errorMetrics(
    pick(data, split.test, (row) => data.price[row]!),
    pick(data, split.test, (row) => data.actual[row]!),
  ).mape;
  const rows: Record<string, number | string>[] = [
    { forecast: "last price", "MAPE %": round(last * 100, 3), trees: "-" },
  ];
  for (const [name, withSet] of [
    ["trees, own history (trees chosen on test)", false],
    ["trees, own history + set features (trees chosen on test)", true],
  ] as const) {
    const featureCount = FEATURE_COUNT + (withSet ? SET_FEATURES : 0);
    const features = withSet ? withSetFeatures(data) : data.features;
    const train = subset(data, split.known, features, featureCount);
    const test = subset(data, split.test, features, featureCount);
    const result = trainGbdt(
      train,
      { ...DEFAULT_GBDT_PARAMS, earlyStoppingRounds: DEFAULT_GBDT_PARAMS.trees },
      { validation: test },
    );
    const predicted = predictEnsemble(result.ensemble, test.features, test.rows);
    const fair = Array.from(split.test, (row, i) => data.price[row]! * Math.exp(predicted[i]!));
    const mape = errorMetrics(
      fair,
      pick(data, split.test, (row) => data.actual[row]!),
    ).mape;
    rows.push({ forecast: name, "MAPE %": round(mape * 100, 3), trees: result.bestIteration });
  }
  const median7 = FEATURE_NAMES.indexOf("median_7_ratio");
  const fallen = split.test.filter((row) => data.features[row * FEATURE_COUNT + median7]! > Math.log(1 / 0.9));
  const actual = pick(data, fallen, (row) => data.actual[row]!);
  const toMedian = pick(
    data,
    fallen,
    (row) => data.price[row]! * Math.exp(data.features[row * FEATURE_COUNT + median7]!),
  );
  rows.push(
    {
      forecast: `7-day median, cards > 10 % below it (${fallen.length} test rows)`,
      "MAPE %": round(errorMetrics(toMedian, actual).mape * 100, 2),
      trees: "-",
    },
    {
      forecast: "last price, same rows",
      "MAPE %": round(
        errorMetrics(
          pick(data, fallen, (row) => data.price[row]!),
          actual,
        ).mape * 100,
        2,
      ),
      trees: "-",
    },
  );
  const everyRow = Uint32Array.from({ length: data.rows }, (_, row) => row);
  const allActual = pick(data, everyRow, (row) => data.actual[row]!);
  rows.push(
    {
      forecast: `last price, every date (${data.rows} rows)`,
      "MAPE %": round(errorMetrics(data.price, allActual).mape * 100, 2),
      trees: "-",
    },
    {
      forecast: "3-day mean, every date",
      "MAPE %": round(errorMetrics(data.rollingMean3, allActual).mape * 100, 2),
      trees: "-",
    },
  );
  return {
    name: "daily-upper-bound",
    command: "pnpm bench daily-upper-bound",
    settings: {
      knownRows: split.known.length,
      testRows: split.test.length,
      // Rows whose 7-day-forward median equals today's price: where last price is exact.
      unchangedTargetPct: round((100 * data.target.filter((target) => target === 0).length) / data.rows, 1),
    },
    rows,
    targets: [],
  };
}

function pick(_data: PriceDataset, rows: Uint32Array, value: (row: number) => number): Float64Array {
  return Float64Array.from(rows, value);
}

function subset(data: PriceDataset, rows: Uint32Array, features: Float32Array, featureCount: number): TrainingSet {
  return takeRows({ rows: data.rows, featureCount, features, target: data.target }, rows);
}

/** The card's own features plus its set's mean 1- and 7-day return and the share that moved, that day. */
function withSetFeatures(data: PriceDataset): Float32Array {
  const [ret1, ret7] = [FEATURE_NAMES.indexOf("ret_1"), FEATURE_NAMES.indexOf("ret_7")];
  const keyOf = (row: number) => `${data.cardIds[data.card[row]!]!.split("-")[0]}:${data.day[row]}`;
  const sums = new Map<string, { r1: number; r7: number; moved: number; n: number }>();
  for (let row = 0; row < data.rows; row++) {
    const sum = sums.get(keyOf(row)) ?? { r1: 0, r7: 0, moved: 0, n: 0 };
    const r1 = data.features[row * FEATURE_COUNT + ret1]!;
    sums.set(keyOf(row), {
      r1: sum.r1 + r1,
      r7: sum.r7 + data.features[row * FEATURE_COUNT + ret7]!,
      moved: sum.moved + (r1 === 0 ? 0 : 1),
      n: sum.n + 1,
    });
  }
  const width = FEATURE_COUNT + SET_FEATURES;
  const out = new Float32Array(data.rows * width);
  for (let row = 0; row < data.rows; row++) {
    out.set(data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT), row * width);
    const sum = sums.get(keyOf(row))!;
    out.set([sum.r1 / sum.n, sum.r7 / sum.n, sum.moved / sum.n], row * width + FEATURE_COUNT);
  }
  return out;
}
