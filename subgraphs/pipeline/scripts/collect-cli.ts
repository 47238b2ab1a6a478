/**
 * `pnpm data:collect`: the pipeline's collect step on its own, for operators and first setups.
 *
 *   pnpm data:collect [--sets sv3pt5,sv8] [--date YYYY-MM-DD]
 *
 * Brings the day's prices from the configured providers into the price store, exactly as the
 * first step of every pipeline run does (PRICE_SOURCE, POKEMONTCG_API_URL, POKEMON_PRICE_API_KEY, …;
 * docs/data.md, "Collecting prices"). Prints each set on stderr as it is collected and a JSON
 * summary on stdout. `--sets` limits it to some catalog sets (default: all); `--date` is the
 * collection day (default today, UTC): sets collected that day are not fetched again.
 *
 * Exit code 0 when nothing failed, 2 when some sets (or cards) failed or sets were left untried
 * (the next run retries them), 1 on any error. Works on DATABASE_URL when set, else on the embedded database in DATA_DIR.
 */
import { parseArgs } from "node:util";
import { parseEnv } from "@pokewatch/kit";
import { createPriceStore, loadBundledCatalog, looksLikeIsoDay } from "@pokewatch/market";
import { collectEnvSchema, collectOptionsFromEnv } from "../src/collect-env.js";
import { collectStep } from "../src/pipeline/steps/collect-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure } from "../src/pipeline/steps/step.js";
import { openPipeline } from "./open-pipeline.js";

const USAGE = "usage: pnpm data:collect [--sets SET_ID,SET_ID…] [--date YYYY-MM-DD]";
const OPTIONS = { sets: { type: "string" }, date: { type: "string" } } as const;
const SET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

class UsageError extends Error {}

const err = (text: string) => process.stderr.write(`${text}\n`);

function args(): { sets: string[] | undefined; date: string | undefined } {
  let values: { sets?: string; date?: string };
  try {
    // `pnpm data:collect -- --sets x` passes the `--` along; parseArgs would take it for the end of options.
    const argv = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--"));
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const sets = values.sets?.split(",").map((id) => id.trim());
  if (sets && (sets.length === 0 || sets.some((id) => !SET_ID.test(id)))) {
    throw new UsageError(`--sets must be catalog set ids separated by commas, like sv3pt5,sv8; got "${values.sets}"`);
  }
  if (values.date !== undefined && !looksLikeIsoDay(values.date)) {
    throw new UsageError(`--date must be a YYYY-MM-DD day; got "${values.date}"`);
  }
  return { sets, date: values.date };
}

async function main(): Promise<void> {
  const { sets, date } = args();
  const catalog = loadBundledCatalog();
  const unknown = sets?.filter((id) => !catalog.set(id)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown set ids (not in the catalog): ${unknown.join(", ")}`);
  const collect = { ...collectOptionsFromEnv(parseEnv(collectEnvSchema, process.env)), sets, date };
  const opened = await openPipeline({ options: { collect } });
  try {
    const { db } = opened;
    const clock = () => new Date();
    const ctx = {
      db,
      prices: createPriceStore(db),
      registry: opened.service.registry,
      catalog,
      redis: opened.redis,
      logger: opened.logger,
      dataDir: opened.dataDir,
      clock,
      options: { ...DEFAULT_PIPELINE_OPTIONS, collect },
      runId: "data-collect",
      progress: (message: string) => err(`  ${message}`),
    };
    err(
      `collecting ${collect.source === "simulator" ? "(PRICE_SOURCE=simulator)" : `from ${collect.pokemontcg.baseUrl}`} into ${opened.database}`,
    );
    const { output, message } = await collectStep.run(ctx);
    err(message);
    process.stdout.write(`${JSON.stringify({ ...output, message }, null, 2)}\n`);
    // A spent backfill budget is the plan working, not a failure; sets left untried are not.
    const incomplete = output.providers.some(
      (report) => report.failed.length > 0 || (report.unit === "set" && report.stopped !== null),
    );
    if (incomplete) process.exitCode = 2;
  } finally {
    await opened.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) err(`data:collect: ${error.message}\n${USAGE}`);
  else if (error instanceof StepFailure) err(`data:collect: ${error.message}`);
  else err(`data:collect: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
