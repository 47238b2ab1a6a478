import { checkSubgraphSecrets, databaseEnvShape, envFields, serviceEnvShape } from "@pokewatch/kit";
import { z } from "zod";

const number = (message: string) =>
  z
    .string()
    .trim()
    // eslint-disable-next-line security/detect-unsafe-regex -- anchored, and the "." separates the two digit runs: linear
    .regex(/^[+-]?\d+(\.\d+)?$/, message)
    .transform(Number);
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

export const pricingEnvSchema = z
  .object({
    ...serviceEnvShape,
    ...databaseEnvShape,
    PRICING_PORT: envFields.port(4001),
    /** This subgraph's own signing secret, so that no other subgraph's can sign for it; SUBGRAPH_SECRET when unset. */
    SUBGRAPH_SECRET_PRICING: envFields.optionalSecret(),
    /** Accepted besides the current secret while it is rotated (docs/security.md); never signed with. */
    SUBGRAPH_SECRET_PRICING_PREVIOUS: envFields.optionalSecret(),
    /** The same for the shared SUBGRAPH_SECRET, when this subgraph has no secret of its own. */
    SUBGRAPH_SECRET_PREVIOUS: envFields.optionalSecret(),
    /** BUY when the market sits this many percent below fair, or further. */
    BUY_THRESHOLD_PCT: number("must be a percentage such as -10")
      .pipe(z.number().max(0, "must be 0 or below: BUY means the market is under fair (e.g. -10)"))
      .default(-10),
    /** SELL when the market sits this many percent above fair, or further. */
    SELL_THRESHOLD_PCT: number("must be a percentage such as 15")
      .pipe(z.number().min(0, "must be 0 or above: SELL means the market is over fair (e.g. 15)"))
      .default(15),
    /** How long a computed fair price is reused. */
    CACHE_TTL_SECONDS: wholeNumber(1, 7 * 24 * 3600, 3600),
    /** Bound of the in-process cache used without REDIS_URL. */
    FAIR_PRICE_CACHE_ENTRIES: wholeNumber(1, 10_000_000, 200_000),
    /** Longest the micro-batcher holds a prediction to merge it with others' (0–2 ms). */
    ONNX_MAX_WAIT_MS: number("must be a number of milliseconds from 0 to 2")
      .pipe(z.number().min(0, "must be 0 or more").max(2, "must be at most 2 (ms)"))
      .default(1),
    /** Most feature rows in one ONNX run. */
    ONNX_MAX_BATCH_ROWS: wholeNumber(1, 100_000, 4096),
    /** How often to ask the registry for a new production model (0 = only on Redis events). */
    MODEL_POLL_SECONDS: wholeNumber(0, 86_400, 30),
  })
  .superRefine(checkSubgraphSecrets(["pricing"]));

export type PricingEnv = z.infer<typeof pricingEnvSchema>;
