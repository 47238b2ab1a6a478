/**
 * `pnpm run pipeline`: runs the training pipeline in this process, for operators and first setups.
 * (`run` is needed: pnpm 12's own `pnpm pipeline` command shadows the script.)
 *
 *   pnpm run pipeline run [--trees N] [--cards N] [--no-simulate]
 *   pnpm run pipeline status [--first N]
 *
 * `run` creates a MANUAL run, prints each step on stderr as it happens and a JSON summary on
 * stdout; it exits 0 only when the run SUCCEEDED. `--cards N` simulates only the first N catalog
 * cards (quick tries, tests); `--no-simulate` fails ingest on an empty price store instead of
 * simulating it. `status` prints the pipeline's health and latest runs as JSON.
 *
 * Works on DATABASE_URL when set, else on the embedded database in DATA_DIR (default .pokewatch/).
 * With REDIS_URL, a promotion reaches every pricing replica at once. Exit code 1 on any error.
 */
import { parseArgs } from "node:util";
import {
  createCatalog,
  loadBundledCatalog,
  simulatedCatalogData,
  simulationCatalog,
  type Catalog,
} from "@pokewatch/market";
import { pipelineHealth } from "../src/pipeline/pipeline-health.js";
import { PipelineBusyError, type PipelineRunRecord, type StepRecord } from "../src/pipeline/pipeline-types.js";
import { createProgressThrottle } from "../src/pipeline/progress-throttle.js";
import type { RunEvent } from "../src/pipeline/run-steps.js";
import type { PipelineOptions } from "../src/pipeline/steps/step.js";
import { openPipeline } from "./open-pipeline.js";

const USAGE = `usage:
  pnpm run pipeline run [--trees N] [--cards N] [--no-simulate]
  pnpm run pipeline status [--first N]`;

class UsageError extends Error {}

const OPTIONS = {
  trees: { type: "string" },
  cards: { type: "string" },
  "no-simulate": { type: "boolean" },
  first: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);
const seconds = (ms: number | null) => (ms === null ? "" : ` ${(ms / 1000).toFixed(1)} s`);

function wholeNumber(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}; got "${text}"`);
  }
  return Number(text);
}

function onlyFlags(command: string, values: Values, allowed: Array<keyof Values>): void {
  const extra = Object.keys(values).find((flag) => !allowed.includes(flag as keyof Values));
  if (extra) throw new UsageError(`pipeline ${command} does not take --${extra}`);
}

interface RunArgs {
  options: Partial<PipelineOptions>;
  catalog: Catalog | undefined;
}

/** Checks everything that needs no database, so a typo never opens (or creates) one. */
function runArgs(values: Values): RunArgs {
  onlyFlags("run", values, ["trees", "cards", "no-simulate"]);
  const trees = wholeNumber("trees", values.trees, 1, 10_000);
  const recent = simulationCatalog(loadBundledCatalog());
  const cards = wholeNumber("cards", values.cards, 1, recent.size);
  return {
    options: { ...(trees !== undefined && { trees }), ...(values["no-simulate"] && { simulateIfEmpty: false }) },
    // The first N cards of the simulated sets in catalog order, so a small run prices real card ids.
    catalog: cards === undefined ? undefined : createCatalog(simulatedCatalogData(cards, recent)),
  };
}

const MARKS: Record<string, string> = { SUCCEEDED: "✓", CACHED: "↷", FAILED: "✗", SKIPPED: "–" };

/** Prints a run's progress on stderr: `▶ train…`, throttled tree counts, `✓ train 12.3 s — …`. */
function progressPrinter() {
  let shown = createProgressThrottle();
  return (event: RunEvent) => {
    switch (event.type) {
      case "step-started":
        shown = createProgressThrottle();
        return err(`▶ ${event.name}…`);
      case "step-progress":
        if (shown(event.message)) err(`  ${event.name}: ${event.message}`);
        return;
      case "step-finished": {
        // `✓ ingest 1.2 s — …`, `↷ train cached — …`, `✗ validate failed — …`, `– promote skipped — …`
        const how = event.status === "SUCCEEDED" ? seconds(event.durationMs) : ` ${event.status.toLowerCase()}`;
        return err(`${MARKS[event.status] ?? "·"} ${event.name}${how} — ${event.message}`);
      }
      case "run-finished":
        return err(`${event.status === "SUCCEEDED" ? "✓" : "✗"} ${event.runId} ${event.status}`);
    }
  };
}

/** What a run did, as the JSON summary prints it. */
function runSummary(run: PipelineRunRecord, steps: StepRecord[] | undefined) {
  const { comparison } = run;
  return {
    runId: run.id,
    status: run.status,
    trigger: run.trigger,
    error: run.error,
    producedModel: run.producedModelId,
    promoted: run.promoted,
    comparison: comparison && {
      candidateMape: comparison.candidate.mape,
      productionMape: comparison.production?.mape ?? null,
      productionModelId: comparison.productionModelId,
      better: comparison.better,
    },
    createdAt: run.createdAt,
    durationMs: run.durationMs,
    ...(steps && {
      steps: steps.map(({ name, status, durationMs, message }) => ({ name, status, durationMs, message })),
    }),
  };
}

async function runOnce(args: RunArgs): Promise<void> {
  const opened = await openPipeline({ catalog: args.catalog, options: args.options });
  try {
    const { store, runner } = opened.service;
    const { run, done } = await runner.trigger("MANUAL", { onEvent: progressPrinter() }).catch((error: unknown) => {
      if (!(error instanceof PipelineBusyError)) throw error;
      throw new Error(
        `${error.message}. A run whose process stopped is failed once its heartbeat is 10 minutes old; ` +
          "see pnpm run pipeline status",
      );
    });
    err(`${run.id} in ${opened.database}`);
    await done;
    const finished = (await store.findById(run.id)) ?? run;
    out(runSummary(finished, await store.steps(run.id)));
    if (finished.status !== "SUCCEEDED") process.exitCode = 1;
  } finally {
    await opened.close();
  }
}

async function status(first: number): Promise<void> {
  const opened = await openPipeline();
  try {
    const { store, registry } = opened.service;
    const [recent, page, active, production] = await Promise.all([
      store.recentFinished(Math.max(first, 3)),
      store.list({ first }),
      store.active(),
      registry.production(),
    ]);
    const steps = await store.stepsOfRuns(page.runs.map((run) => run.id));
    out({
      health: pipelineHealth(recent, new Date()),
      activeRun: active?.id ?? null,
      productionModel: production
        ? { id: production.id, version: production.version, mape: production.metrics.mape }
        : null,
      runs: page.runs.map((run) => runSummary(run, steps.get(run.id))),
    });
  } finally {
    await opened.close();
  }
}

async function main(): Promise<void> {
  let parsed: { values: Values; positionals: string[] };
  try {
    // `pnpm run pipeline -- run` passes the `--` along; parseArgs would take it for the end of options.
    const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--"));
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (command !== "run" && command !== "status") {
    throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  }
  if (rest.length > 0) throw new UsageError(`pipeline ${command} takes no positional arguments; got "${rest[0]}"`);
  if (command === "run") return runOnce(runArgs(parsed.values));
  onlyFlags(command, parsed.values, ["first"]);
  return status(wholeNumber("first", parsed.values.first, 1, 100) ?? 5);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) err(`pipeline: ${error.message}\n${USAGE}`);
  else err(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
