import { existsSync } from "node:fs";
import { join } from "node:path";
import { evaluatePriceFile } from "@pokewatch/model";
import { round, type BenchResult } from "./bench-report.js";

/** The real price files with daily or near-daily history (docs/model.md says why the others are left out). */
const DAILY_FILES = ["tcgplayer_daily_2025-05-29_to_2025-07-01.csv", "tcgplayer_3day_buckets_2025-04_to_2026-08.csv"];
const SHARED_DATA = join(import.meta.dirname, "../../shared/data");

/**
 * Issue 3: hold-out MAPE below both baselines on every real daily or near-daily price file, and
 * 80 % intervals covering 75–85 %. Needs `../shared/data` beside the repository; the numbers in
 * docs/model.md come from this file's JSON.
 */
export async function modelAccuracyBench(): Promise<BenchResult> {
  const prices = join(SHARED_DATA, "prices");
  if (!existsSync(prices)) throw new Error(`model-accuracy needs the shared price files in ${prices}`);
  const rows: Record<string, number | string>[] = [];
  const targets: BenchResult["targets"] = [];
  for (const file of DAILY_FILES) {
    const report = await evaluatePriceFile({
      prices: join(prices, file),
      cardIndex: join(SHARED_DATA, "catalog/cards_index.csv"),
    });
    const { lastPrice, rollingMean3 } = report.baselines;
    rows.push({
      file,
      testFrom: report.split.testFrom,
      testTo: report.split.testTo,
      n: report.n,
      cards: report.cards,
      "model MAPE %": round(report.mape * 100, 3),
      "last price MAPE %": round(lastPrice.mape * 100, 3),
      "3-day mean MAPE %": round(rollingMean3.mape * 100, 3),
      "gain vs last price %": round(report.improvement.lastPrice * 100, 1),
      "gain vs 3-day mean %": round(report.improvement.rollingMean3 * 100, 1),
      "coverage %": round(report.intervalCoverage * 100, 1),
      "RMSE model": round(report.rmse, 2),
      "RMSE last price": round(lastPrice.rmse, 2),
      "MAE model": round(report.mae, 3),
      "MAE last price": round(lastPrice.mae, 3),
    });
    const below = report.mape < lastPrice.mape && report.mape < rollingMean3.mape;
    targets.push(
      {
        target: `${file}: hold-out MAPE below both baselines`,
        measured: `${round(report.mape * 100, 3)} %`,
        met: below,
      },
      {
        target: `${file}: 80 % interval covers 75–85 %`,
        measured: `${round(report.intervalCoverage * 100, 1)} %`,
        met: report.intervalCoverage >= 0.75 && report.intervalCoverage <= 0.85,
      },
    );
  }
  return {
    name: "model-accuracy",
    command: "pnpm bench model-accuracy",
    settings: { horizonDays: 7, testFraction: 0.2, cardIndex: "../shared/data/catalog/cards_index.csv" },
    rows,
    targets,
  };
}
