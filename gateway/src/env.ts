import { fileURLToPath } from "node:url";
import { SUBGRAPH_NAMES, checkSubgraphSecrets, envFields, serviceEnvShape, subgraphSecretOf } from "@pokewatch/kit";
import { z } from "zod";
import { DEFAULT_FAILED_AUTH_PER_MINUTE } from "./auth/failed-auth-throttle.js";
import { parseCorsOrigins } from "./http/cors.js";
import { parseTrustProxy } from "./http/trust-proxy.js";
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from "./operation/operation-limits.js";

export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL("../../schema/supergraph.graphql", import.meta.url));

function operationLimit(min: number, max: number, fallback: number) {
  return z.coerce
    .number()
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);
}

const optionalUrl = envFields.url(["http:", "https:"]).optional();

export const gatewayEnvSchema = z
  .object({
    ...serviceEnvShape,
    /** production: CORS_ORIGINS is required and AUTH_ENABLED=false refused; no Sandbox landing page. */
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    GATEWAY_PORT: envFields.port(4000),
    /**
     * Each subgraph's own signing secret (the gateway signs with it, the subgraph checks it), so a
     * subgraph's secret cannot sign for another; SUBGRAPH_SECRET for a subgraph without one.
     */
    SUBGRAPH_SECRET_PRICING: envFields.optionalSecret(),
    SUBGRAPH_SECRET_KEYS: envFields.optionalSecret(),
    SUBGRAPH_SECRET_PIPELINE: envFields.optionalSecret(),
    /** The composed supergraph this gateway serves. */
    SUPERGRAPH_PATH: z.string().min(1).default(DEFAULT_SUPERGRAPH_PATH),
    /** Override one subgraph's routing URL from the supergraph, e.g. when it runs elsewhere. */
    PRICING_URL: optionalUrl,
    KEYS_URL: optionalUrl,
    PIPELINE_URL: optionalUrl,
    /**
     * Browser origins allowed by CORS: a comma-separated list, `none`, or `*`. Unset: loopback pages
     * outside production; refused at start in production (docs/security.md).
     */
    CORS_ORIGINS: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        try {
          parseCorsOrigins(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    /** Require an API key on every request. false: every caller has every scope (local development only). */
    AUTH_ENABLED: envFields.boolean(true),
    /** How long a verified key is trusted without asking the keys service; bounds revocation without Redis. */
    AUTH_CACHE_TTL_SECONDS: z
      .string()
      .regex(/^\d{1,6}$/, "must be a whole number of seconds from 1 to 999999")
      .transform(Number)
      .pipe(z.number().min(1, "must be at least 1 second"))
      .default(30),
    /**
     * How long a verified key is trusted while revocations may go unheard (no REDIS_URL, or the
     * gateway's subscription to key changes is down); bounds revocation then.
     */
    AUTH_CACHE_UNANNOUNCED_TTL_MS: envFields.milliseconds(100, 60_000, 2_000),
    /**
     * Failed authentications (missing, malformed, unknown, expired, revoked key) a client address
     * may make in a row; the bucket refills at this rate a minute. Then 429 before any key lookup.
     */
    AUTH_FAILURES_PER_MINUTE: z.coerce
      .number()
      .int("must be a whole number of failures")
      .min(1, "must be at least 1")
      .max(1_000_000, "must be at most 1000000")
      .default(DEFAULT_FAILED_AUTH_PER_MINUTE),
    /**
     * Whom to believe in X-Forwarded-For for the client's address: false (the TCP peer is the
     * client), true (every hop), or the proxies' addresses / CIDRs / loopback, linklocal, uniquelocal.
     */
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((value, ctx) => {
        try {
          return parseTrustProxy(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** Longest wait for one subgraph answer; then SERVICE_UNAVAILABLE naming the subgraph. */
    SUBGRAPH_TIMEOUT_MS: envFields.milliseconds(100, 300_000, 10_000),
    /** Longest wait for the keys service to verify a key or take usage; then SERVICE_UNAVAILABLE. */
    KEYS_SERVICE_TIMEOUT_MS: envFields.milliseconds(100, 60_000, 2_000),
    /** How often the keys' `lastUsedAt` is reported to the keys service (and once more on shutdown). */
    KEY_USAGE_FLUSH_INTERVAL_MS: envFields.milliseconds(100, 3_600_000, 5_000),
    /** Points a key's quota bucket holds beyond one minute's `rateLimitPerMinute`. */
    RATE_LIMIT_BURST: z.coerce
      .number()
      .int("must be a whole number of requests")
      .min(0, "must be at least 0")
      .max(100_000, "must be at most 100000")
      .default(10),
    /** Operation limits, checked before validation (docs/security.md). */
    OPERATION_MAX_TOKENS: operationLimit(100, 1_000_000, DEFAULT_OPERATION_LIMITS.maxTokens),
    OPERATION_MAX_DEPTH: operationLimit(2, 100, DEFAULT_OPERATION_LIMITS.maxDepth),
    OPERATION_MAX_ALIASES: operationLimit(0, 100_000, DEFAULT_OPERATION_LIMITS.maxAliases),
    OPERATION_MAX_DIRECTIVES: operationLimit(0, 100_000, DEFAULT_OPERATION_LIMITS.maxDirectives),
    OPERATION_MAX_FIELDS: operationLimit(1, 1_000_000, DEFAULT_OPERATION_LIMITS.maxFields),
  })
  .superRefine(checkSubgraphSecrets(SUBGRAPH_NAMES));

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/**
 * What the gateway signs each subgraph's requests with, by name: its own secret or the shared
 * one. A subgraph of another supergraph, not named here, gets SUBGRAPH_SECRET.
 */
export function subgraphSigningSecrets(
  env: Pick<
    GatewayEnv,
    "SUBGRAPH_SECRET" | "SUBGRAPH_SECRET_PRICING" | "SUBGRAPH_SECRET_KEYS" | "SUBGRAPH_SECRET_PIPELINE"
  >,
): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const secret = subgraphSecretOf(env, name);
    if (secret) secrets[name] = secret.current;
  }
  return secrets;
}

/** Subgraph URL overrides from the environment, by subgraph name. */
export function subgraphUrlOverrides(
  env: Pick<GatewayEnv, "PRICING_URL" | "KEYS_URL" | "PIPELINE_URL">,
): Record<string, string> {
  const entries = Object.entries({ pricing: env.PRICING_URL, keys: env.KEYS_URL, pipeline: env.PIPELINE_URL });
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The operation limits the environment sets. */
export function operationLimitsOf(
  env: Pick<
    GatewayEnv,
    | "OPERATION_MAX_TOKENS"
    | "OPERATION_MAX_DEPTH"
    | "OPERATION_MAX_ALIASES"
    | "OPERATION_MAX_DIRECTIVES"
    | "OPERATION_MAX_FIELDS"
  >,
): OperationLimits {
  return {
    maxTokens: env.OPERATION_MAX_TOKENS,
    maxDepth: env.OPERATION_MAX_DEPTH,
    maxAliases: env.OPERATION_MAX_ALIASES,
    maxDirectives: env.OPERATION_MAX_DIRECTIVES,
    maxFields: env.OPERATION_MAX_FIELDS,
  };
}
