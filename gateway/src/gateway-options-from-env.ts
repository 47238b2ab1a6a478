import { runnerOptionsOf, type RunnerOptions } from "@pokewatch/kit";
import type { GatewayAuthOptions } from "./auth/gateway-auth.js";
import { operationLimitsOf, subgraphSigningSecrets, subgraphUrlOverrides, type GatewayEnv } from "./env.js";
import type { CreateGatewayAppOptions, GatewayRateLimitOptions } from "./gateway-app.js";

/** What the app needs at run time, which the entry point opens, reads or makes. */
type GatewayRuntime = "supergraphSdl" | "logger" | "redis" | "plugins" | "auth" | "rateLimits";

/** Everything the gateway takes from its environment. */
export interface GatewayOptions extends RunnerOptions {
  /** SUPERGRAPH_PATH: the entry point reads it into `supergraphSdl`. */
  supergraphPath: string;
  app: Omit<CreateGatewayAppOptions, GatewayRuntime> & {
    nodeEnv: GatewayEnv["NODE_ENV"];
    subgraphSecrets: Record<string, string>;
    subgraphUrls: Record<string, string>;
    auth: Omit<GatewayAuthOptions, "redis" | "localKeyChanges" | "clock">;
    rateLimits: Omit<GatewayRateLimitOptions, "redis" | "clock">;
  };
}

/**
 * The one mapping of the gateway's environment to its options, for both entry points: the
 * standalone gateway (`main.ts`) and `pnpm start` (`startStack`). Every variable of
 * `gatewayEnvSchema` lands here (`gateway-options-from-env.test.ts` proves it).
 */
export function gatewayOptionsFromEnv(env: GatewayEnv): GatewayOptions {
  return {
    ...runnerOptionsOf(env, env.GATEWAY_PORT),
    supergraphPath: env.SUPERGRAPH_PATH,
    app: {
      secret: env.SUBGRAPH_SECRET,
      subgraphSecrets: subgraphSigningSecrets(env),
      subgraphUrls: subgraphUrlOverrides(env),
      corsOrigins: env.CORS_ORIGINS,
      behindTls: env.BEHIND_TLS,
      maxBodyBytes: env.MAX_BODY_BYTES,
      subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      nodeEnv: env.NODE_ENV,
      trustProxy: env.TRUST_PROXY,
      auth: {
        enabled: env.AUTH_ENABLED,
        cacheTtlMs: env.AUTH_CACHE_TTL_SECONDS * 1000,
        unannouncedTtlMs: env.AUTH_CACHE_UNANNOUNCED_TTL_MS,
        failedAuth: { perMinute: env.AUTH_FAILURES_PER_MINUTE },
        keysServiceTimeoutMs: env.KEYS_SERVICE_TIMEOUT_MS,
        usageFlushIntervalMs: env.KEY_USAGE_FLUSH_INTERVAL_MS,
      },
      rateLimits: { burst: env.RATE_LIMIT_BURST },
      operationLimits: operationLimitsOf(env),
    },
  };
}
