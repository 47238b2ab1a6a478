import { fileURLToPath } from "node:url";
import { envFields, serviceEnvShape } from "@pokewatch/kit";
import { z } from "zod";

export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL("../../schema/supergraph.graphql", import.meta.url));

const optionalUrl = envFields.url(["http:", "https:"]).optional();

export const gatewayEnvSchema = z.object({
  ...serviceEnvShape,
  GATEWAY_PORT: envFields.port(4000),
  /** The composed supergraph this gateway serves. */
  SUPERGRAPH_PATH: z.string().min(1).default(DEFAULT_SUPERGRAPH_PATH),
  /** Override one subgraph's routing URL from the supergraph, e.g. when it runs elsewhere. */
  PRICING_URL: optionalUrl,
  KEYS_URL: optionalUrl,
  PIPELINE_URL: optionalUrl,
  /** Comma-separated origins allowed by CORS, or `*`. Empty: no cross-origin browser calls. */
  CORS_ORIGINS: z.string().default("*"),
  /** Require an API key on every request. false: every caller has every scope (local development only). */
  AUTH_ENABLED: envFields.boolean(true),
  /** How long a verified key is trusted without asking the keys service; bounds revocation without Redis. */
  AUTH_CACHE_TTL_SECONDS: z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number of seconds from 1 to 999999")
    .transform(Number)
    .pipe(z.number().min(1, "must be at least 1 second"))
    .default(30),
  /** Points a key's quota bucket holds beyond one minute's `rateLimitPerMinute`. */
  RATE_LIMIT_BURST: z.coerce
    .number()
    .int("must be a whole number of requests")
    .min(0, "must be at least 0")
    .max(100_000, "must be at most 100000")
    .default(10),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** Subgraph URL overrides from the environment, by subgraph name. */
export function subgraphUrlOverrides(
  env: Pick<GatewayEnv, "PRICING_URL" | "KEYS_URL" | "PIPELINE_URL">,
): Record<string, string> {
  const entries = Object.entries({ pricing: env.PRICING_URL, keys: env.KEYS_URL, pipeline: env.PIPELINE_URL });
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}
