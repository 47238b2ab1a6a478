import {
  createCollectionLog,
  createPokemonPriceTrackerClient,
  createPokemonTcgClient,
  formatIsoDay,
  parseIsoDay,
  POKEMON_PRICE_TRACKER_PROVIDER,
  POKEMONTCG_PROVIDER,
} from "@pokewatch/market";
import type { StepContext } from "../steps/step.js";
import { MIN_HISTORY_DAYS, type CollectOptions } from "./collect-options.js";
import { collectScopes } from "./collect-scopes.js";
import type { ProviderReport } from "./provider-report.js";

/** Days a backfilled card is left alone, so a card PPT has little history for does not cost a credit every day. */
const BACKFILL_AGAIN_AFTER_DAYS = 7;

/** What a collect run is to fetch, as it stands before it starts (also the step's cache input). */
export interface CollectPlan {
  day: string;
  sets: string[];
  /** Sets pokemontcg.io already answered for on `day`. */
  setsDone: Set<string>;
  /** Cards whose stored history is shorter than the model needs, not backfilled lately; empty without a PPT key. */
  backfill: string[];
}

export async function planCollection(ctx: StepContext, collect: CollectOptions, day: string, sets: string[]) {
  const log = createCollectionLog(ctx.db);
  const setsDone = new Set(
    [...(await log.entries(POKEMONTCG_PROVIDER, day)).values()]
      .filter((e) => e.status === "collected")
      .map((e) => e.scope),
  );
  let backfill: string[] = [];
  if (collect.source !== "simulator" && collect.ppt.apiKey) {
    const cards = sets.flatMap((setId) => ctx.catalog.cards(setId).map((card) => card.id));
    const ranges = await ctx.prices.dateRanges(cards);
    const since = formatIsoDay(parseIsoDay(day)! - BACKFILL_AGAIN_AFTER_DAYS);
    const recent = await log.collectedSince(POKEMON_PRICE_TRACKER_PROVIDER, since);
    backfill = cards.filter((id) => (ranges.get(id)?.days ?? 0) < MIN_HISTORY_DAYS && !recent.has(id));
  }
  return { day, sets, setsDone, backfill } satisfies CollectPlan;
}

/** Client options every provider call of a collect run shares: bounded waits, no long Retry-After. */
function httpOptions(collect: CollectOptions, day: string) {
  return {
    timeoutMs: collect.timeoutMs,
    retries: collect.retries,
    maxRetryAfterMs: collect.maxRetryAfterMs,
    failBeyondMaxRetryAfter: true,
    // A price the provider does not date is dated on the collection day.
    now: () => new Date(`${day}T12:00:00Z`),
  };
}

/** Today's TCGplayer prices of every planned set from pokemontcg.io (one request per 250 cards). */
export function collectPokemonTcg(ctx: StepContext, collect: CollectOptions, plan: CollectPlan, deadline: number) {
  const client = createPokemonTcgClient({
    ...httpOptions(collect, plan.day),
    baseUrl: collect.pokemontcg.baseUrl,
    ...(collect.pokemontcg.apiKey && { apiKey: collect.pokemontcg.apiKey }),
  });
  return collectScopes({
    ctx,
    log: createCollectionLog(ctx.db),
    provider: POKEMONTCG_PROVIDER,
    unit: "set",
    day: plan.day,
    scopes: plan.sets,
    done: plan.setsDone,
    deadline,
    fetch: (setId) => client.listSetPrices(setId),
    // A card the provider has and the catalog not yet cannot be trained on or served: counted as skipped.
    keep: (point) => ctx.catalog.card(point.cardId) !== undefined,
  });
}

/**
 * Pokémon Price Tracker history for the planned cards, one call (credits) each, at most
 * `maxCallsPerRun` a run. PPT ids differ from ours: a card is asked for by its printed number
 * (`6/165`) and set name, which PPT documents as a way to find a card.
 */
export function backfillPpt(
  ctx: StepContext,
  collect: CollectOptions,
  plan: CollectPlan,
  deadline: number,
): Promise<ProviderReport> {
  const client = createPokemonPriceTrackerClient({
    ...httpOptions(collect, plan.day),
    apiKey: collect.ppt.apiKey!,
    baseUrl: collect.ppt.baseUrl,
    language: "english",
  });
  return collectScopes({
    ctx,
    log: createCollectionLog(ctx.db),
    provider: POKEMON_PRICE_TRACKER_PROVIDER,
    unit: "card",
    day: plan.day,
    scopes: plan.backfill,
    done: new Set(),
    maxCalls: collect.ppt.maxCallsPerRun,
    deadline,
    fetch: (cardId) => {
      const card = ctx.catalog.card(cardId)!;
      const set = ctx.catalog.set(card.setId)!;
      const query = { cardNumber: `${card.number}/${set.printedTotal}`, set: set.name };
      return client.getCardHistory(query, { cardId, days: collect.ppt.backfillDays });
    },
  });
}
