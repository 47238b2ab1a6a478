import { envFields } from "@pokewatch/kit";
import { z } from "zod";
import { DEFAULT_COLLECT_OPTIONS, PRICE_SOURCES, type CollectOptions } from "./pipeline/collect/collect-options.js";

/** Empty means unset, as Compose's `${VAR:-}` and an empty Kubernetes Secret key pass it. */
const optionalKey = () =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .regex(/^[^\s]+$/, "must be one token without spaces or line breaks")
      .optional(),
  );

const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

/** Where the collect step gets prices (docs/data.md, "Collecting prices"); the pipeline service and `pnpm data:collect` read them. */
export const collectEnvShape = {
  /** `auto` (providers, simulator only when none answers and the store is empty), `providers` or `simulator`. */
  PRICE_SOURCE: z.enum(PRICE_SOURCES).default("auto"),
  POKEMONTCG_API_URL: envFields.url(["https:", "http:"]).default(DEFAULT_COLLECT_OPTIONS.pokemontcg.baseUrl),
  /** Optional: raises pokemontcg.io's rate limit. */
  POKEMONTCG_API_KEY: optionalKey(),
  /** Pokémon Price Tracker: with it, cards with too short a history are backfilled. */
  POKEMON_PRICE_API_KEY: optionalKey(),
  PPT_API_URL: envFields.url(["https:", "http:"]).default(DEFAULT_COLLECT_OPTIONS.ppt.baseUrl),
  /** Days of history asked for per backfilled card (PPT caps it by plan: about 7 free, 90 paid). */
  PRICE_BACKFILL_DAYS: wholeNumber(1, 365, DEFAULT_COLLECT_OPTIONS.ppt.backfillDays),
  /** PPT calls (one per card, each costing credits) one run may make; 0 turns the backfill off. */
  PPT_MAX_CALLS_PER_RUN: wholeNumber(0, 100_000, DEFAULT_COLLECT_OPTIONS.ppt.maxCallsPerRun),
};

/** The collect variables alone (`pnpm data:collect` parses just these). */
export const collectEnvSchema = z.object(collectEnvShape);
type CollectEnv = z.infer<typeof collectEnvSchema>;

export function collectOptionsFromEnv(env: Readonly<CollectEnv>): CollectOptions {
  return {
    ...DEFAULT_COLLECT_OPTIONS,
    source: env.PRICE_SOURCE,
    pokemontcg: { baseUrl: env.POKEMONTCG_API_URL, apiKey: env.POKEMONTCG_API_KEY },
    ppt: {
      baseUrl: env.PPT_API_URL,
      // No calls allowed is no backfill: the key is then left out, so nothing is planned for PPT.
      apiKey: env.PPT_MAX_CALLS_PER_RUN > 0 ? env.POKEMON_PRICE_API_KEY : undefined,
      backfillDays: env.PRICE_BACKFILL_DAYS,
      maxCallsPerRun: env.PPT_MAX_CALLS_PER_RUN,
    },
  };
}
