import { randomUUID } from "node:crypto";
import { parseIsoDay } from "@pokewatch/market";
import type { CollectOptions } from "../collect/collect-options.js";
import { backfillPpt, collectPokemonTcg, planCollection } from "../collect/collect-sources.js";
import { describeReport, type ProviderReport } from "../collect/provider-report.js";
import { simulateIntoStore } from "../collect/simulate-into-store.js";
import { sha256Hex } from "./content-hash.js";
import { StepFailure, type PipelineStep, type StepContext } from "./step.js";

/** What a collect run did; small, so it is the step's cached output too. */
export interface CollectOutput {
  /** The collection day, `YYYY-MM-DD`. */
  day: string;
  source: CollectOptions["source"];
  providers: ProviderReport[];
  /** What was simulated into an empty store, or null. */
  simulated: string | null;
}

const FORMAT = "pokewatch.collect/1";

/**
 * Step 1: brings the collection day's prices into the price store (PRICE_SOURCE, see
 * `collect-options.ts`); ingest then reads the store. Idempotent per day through the
 * `price_collections` log: a set collected that day is not fetched again, a failed one is retried
 * by the next run. One failing set or provider never fails the run; the message names them.
 */
export const collectStep: PipelineStep<void, CollectOutput> = {
  name: "collect",
  cacheable: true,
  codeUrl: new URL(import.meta.url),

  /**
   * The plan: day, options (never the API keys, only whether they are set) and what is left to
   * fetch. A rerun with nothing left is a cache hit; an empty store never is (simulating it is a
   * side effect a hit would skip).
   */
  async cacheInput(ctx) {
    if (await storeIsEmpty(ctx)) return `empty price store ${randomUUID()}`;
    const collect = ctx.options.collect;
    const plan = await planCollection(ctx, collect, collectionDay(ctx), requestedSets(ctx));
    const pending = plan.sets.filter((set) => !plan.setsDone.has(set));
    return sha256Hex(
      JSON.stringify({
        day: plan.day,
        source: collect.source,
        sets: plan.sets,
        pending: collect.source === "simulator" ? [] : pending,
        backfill: plan.backfill,
        pokemontcg: { url: collect.pokemontcg.baseUrl, key: Boolean(collect.pokemontcg.apiKey) },
        ppt: { url: collect.ppt.baseUrl, days: collect.ppt.backfillDays, calls: collect.ppt.maxCallsPerRun },
      }),
    );
  },

  async run(ctx) {
    const collect = ctx.options.collect;
    const day = collectionDay(ctx);
    const sets = requestedSets(ctx);
    const empty = await storeIsEmpty(ctx);
    const output: CollectOutput = { day, source: collect.source, providers: [], simulated: null };
    if (collect.source !== "simulator") {
      const deadline = Date.now() + collect.budgetMs;
      const plan = await planCollection(ctx, collect, day, sets);
      output.providers.push(await collectPokemonTcg(ctx, collect, plan, deadline));
      if (collect.ppt.apiKey) output.providers.push(await backfillPpt(ctx, collect, plan, deadline));
    }
    const answered = output.providers.some((report) => report.answered);
    if (
      empty &&
      ctx.options.simulateIfEmpty &&
      (collect.source === "simulator" || (collect.source === "auto" && !answered))
    ) {
      if (collect.source === "auto") {
        ctx.logger.warn(
          {
            providers: output.providers.map((r) => ({
              provider: r.provider,
              stopped: r.stopped,
              failed: r.failed.length,
            })),
          },
          'no price provider answered and the price store is empty: simulating prices (source "simulator"), not market data',
        );
      }
      output.simulated = await simulateIntoStore(ctx, day);
    }
    return {
      output,
      outputHash: sha256Hex(JSON.stringify(output)),
      message: messageOf(output, sets.length),
    };
  },

  serialize: (output) => Buffer.from(JSON.stringify({ format: FORMAT, ...output }), "utf8"),
  deserialize: (body) => {
    const { format, ...output } = JSON.parse(body.toString("utf8")) as CollectOutput & { format?: unknown };
    if (format !== FORMAT) throw new Error(`not a ${FORMAT} step output (format ${JSON.stringify(format)})`);
    return output;
  },
};

function messageOf(output: CollectOutput, sets: number): string {
  const parts = output.providers.map(describeReport);
  if (output.simulated) {
    const why =
      output.source === "simulator" ? "PRICE_SOURCE=simulator" : "no provider answered and the store was empty";
    parts.push(`${output.simulated} (${why}; source "simulator", not market data)`);
  } else if (output.source === "simulator") {
    parts.push(`PRICE_SOURCE=simulator: nothing fetched (${sets} sets; the simulator only fills an empty store)`);
  }
  return `${output.day}: ${parts.join(" · ")}`;
}

/** `options.collect.date`, else the clock's UTC day; a day after the clock's is refused. */
function collectionDay(ctx: StepContext): string {
  const today = ctx.clock().toISOString().slice(0, 10);
  const day = ctx.options.collect.date ?? today;
  if (parseIsoDay(day) === null)
    throw new StepFailure(`collect date must be a YYYY-MM-DD day, got ${JSON.stringify(day)}`);
  if (day > today)
    throw new StepFailure(`collect date ${day} is after today (${today}): prices cannot be collected ahead`);
  return day;
}

/** The sets asked for, or every set of the catalog; an id the catalog does not have fails the step. */
function requestedSets(ctx: StepContext): string[] {
  const wanted = ctx.options.collect.sets;
  if (!wanted) return ctx.catalog.sets().map((set) => set.id);
  const unknown = wanted.filter((id) => !ctx.catalog.set(id));
  if (unknown.length > 0) throw new StepFailure(`unknown set ids (not in the catalog): ${unknown.join(", ")}`);
  return [...new Set(wanted)];
}

async function storeIsEmpty(ctx: StepContext): Promise<boolean> {
  const [row] = await ctx.db.query<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM price_points) AS any");
  return !row?.any;
}
