import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from "@apollo/server";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import {
  addMetricsRegistry,
  createErrorMasker,
  createHttpApp,
  redisReadiness,
  registerHealthRoutes,
  subgraphSecretVariable,
  type Logger,
  type Redis,
} from "@pokewatch/kit";
import type { GraphQLFormattedError } from "graphql";
import { createGatewayAuth, type GatewayAuthOptions } from "./auth/gateway-auth.js";
import { keysServiceOrigin } from "./auth/keys-url.js";
import { createGatewayContext, type GatewayContext } from "./context.js";
import { registerCors, resolveCorsPolicy } from "./http/cors.js";
import { registerLandingPageCsp } from "./http/landing-page-csp.js";
import { operationGuard } from "./http/operation-guard.js";
import { subgraphReadiness } from "./http/subgraph-readiness.js";
import type { TrustProxy } from "./http/trust-proxy.js";
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from "./operation/operation-limits.js";
import { KnownOperationTypesRule } from "./operation/known-operation-types.js";
import { idArgumentsPlugin } from "./plugins/id-arguments.js";
import { landingPagePlugin } from "./plugins/landing-page.js";
import { operationResolutionPlugin } from "./plugins/operation-resolution.js";
import { createFieldLimitCounter } from "./rate-limits/field-limit-counter.js";
import { createKeyQuota } from "./rate-limits/key-quota.js";
import { createRateLimitMetrics } from "./rate-limits/rate-limit-metrics.js";
import { rateLimitsPlugin } from "./rate-limits/rate-limits-plugin.js";
import { scopesPlugin } from "./scopes/scopes-plugin.js";
import { SignedDataSource } from "./signed-data-source.js";

export interface CreateGatewayAppOptions {
  supergraphSdl: string;
  /** SUBGRAPH_SECRET: signs the requests of every subgraph without a secret in `subgraphSecrets`. */
  secret?: string | undefined;
  /**
   * Each subgraph's own secret, by name (SUBGRAPH_SECRET_<NAME>), the only one its requests are
   * signed with: then no other subgraph's secret can sign for it. @default {} (all use `secret`)
   */
  subgraphSecrets?: Record<string, string>;
  logger: Logger;
  /** Replaces the routing URL the supergraph gives a subgraph, by subgraph name. */
  subgraphUrls?: Record<string, string>;
  /**
   * CORS_ORIGINS: a comma-separated list of origins, `none` or `*`. Unset: loopback origins only,
   * outside production; in production unset is refused (`*` is allowed, with a warning).
   */
  corsOrigins?: string | undefined;
  /** BEHIND_TLS: answers carry `Strict-Transport-Security`. @default false */
  behindTls?: boolean | undefined;
  /** The shared Redis (REDIS_URL): while it does not answer, `/ready` is 503. */
  redis?: Redis | undefined;
  maxBodyBytes?: number | undefined;
  /** SUBGRAPH_TIMEOUT_MS: longest wait for one subgraph answer. @default 10_000 */
  subgraphTimeoutMs?: number | undefined;
  /** @default "development" */
  nodeEnv?: string;
  /**
   * API keys. Omitted: off (anonymous callers with every scope), as for AUTH_ENABLED=false; the
   * entry points pass `{ enabled: env.AUTH_ENABLED, … }`. @default { enabled: false }
   */
  auth?: GatewayAuthOptions;
  /**
   * Per-key quotas and `@rateLimit` field limits, counted in Redis when given (shared by every
   * replica), in process otherwise. @default { enabled: true, burst: 10 } in process
   */
  rateLimits?: GatewayRateLimitOptions;
  /**
   * TRUST_PROXY: from which peers `X-Forwarded-For` is believed to name the client, whose address
   * keys the failed-auth throttle. @default false (the TCP peer is the client)
   */
  trustProxy?: TrustProxy;
  /** Operation size limits (tokens, depth, aliases, directives, fields). @default DEFAULT_OPERATION_LIMITS */
  operationLimits?: OperationLimits;
  /** Added after the built-in plugins (landing page, operation resolution, scopes, rate limits). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
}

export interface GatewayRateLimitOptions {
  /** false: nothing is limited (benchmarks compare with it). @default true */
  enabled?: boolean;
  /** RATE_LIMIT_BURST: points a key's bucket holds beyond a minute's quota. @default 10 */
  burst?: number;
  redis?: Redis | undefined;
  /** @default Date.now */
  clock?: () => number;
}

const CONTEXT_PREFIX = "Context creation failed: ";

/** Apollo prefixes errors thrown by the context function (401, 503); the client gets our message as written. */
function withoutContextPrefix(format: NonNullable<ApolloServerOptions<GatewayContext>["formatError"]>) {
  return (formatted: GraphQLFormattedError, error: unknown) =>
    format(
      formatted.message.startsWith(CONTEXT_PREFIX)
        ? { ...formatted, message: formatted.message.slice(CONTEXT_PREFIX.length) }
        : formatted,
      error,
    );
}

/** The public edge: Apollo Gateway over the static supergraph, served by Apollo Server on Fastify. */
export async function createGatewayApp(options: CreateGatewayAppOptions) {
  const { supergraphSdl, secret, logger, subgraphUrls = {}, subgraphSecrets = {}, nodeEnv = "development" } = options;
  const signingSecretFor = (name: string): string => {
    const found = subgraphSecrets[name] ?? secret;
    if (found === undefined) {
      throw new Error(
        `no secret to sign subgraph ${name}'s requests: set SUBGRAPH_SECRET or ${subgraphSecretVariable(name)}`,
      );
    }
    return found;
  };
  const operationLimits = options.operationLimits ?? DEFAULT_OPERATION_LIMITS;
  const authOptions = options.auth ?? { enabled: false };
  if (!authOptions.enabled && nodeEnv === "production") {
    throw new Error("AUTH_ENABLED=false is refused with NODE_ENV=production: every caller would have every scope");
  }
  const corsPolicy = resolveCorsPolicy(options.corsOrigins, nodeEnv);
  if (corsPolicy.warning) logger.warn(corsPolicy.warning);
  const metrics = createRateLimitMetrics();
  const auth = await createGatewayAuth(authOptions, {
    // The keys service's internal routes are signed as the keys subgraph's /graphql is.
    secret: authOptions.enabled ? signingSecretFor("keys") : undefined,
    logger,
    defaultKeysUrl: keysServiceOrigin(supergraphSdl, subgraphUrls),
    hooks: {
      onThrottled: () => metrics.refused.inc({ limit: "auth-failures" }),
      onThrottleRedisError: () => metrics.redisErrors.inc({ limiter: "auth-failures" }),
    },
  });
  const app = createHttpApp({
    logger,
    maxBodyBytes: options.maxBodyBytes,
    service: "gateway",
    behindTls: options.behindTls,
    trustProxy: options.trustProxy ?? false,
  });
  const limits = options.rateLimits ?? {};
  const rateLimits =
    limits.enabled === false
      ? []
      : [
          rateLimitsPlugin({
            quota: createKeyQuota({
              redis: limits.redis,
              logger,
              ...(limits.clock && { clock: limits.clock }),
              onRedisError: () => metrics.redisErrors.inc({ limiter: "quota" }),
            }),
            fieldLimits: createFieldLimitCounter({
              redis: limits.redis,
              logger,
              onRedisError: () => metrics.redisErrors.inc({ limiter: "field" }),
            }),
            burst: limits.burst ?? 10,
            metrics,
            logger,
            ...(limits.clock && { clock: limits.clock }),
          }),
        ];
  await registerCors(app, corsPolicy);
  if (nodeEnv !== "production") registerLandingPageCsp(app);

  const subgraphHealth: Record<string, string> = {};
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`supergraph gives no URL for subgraph ${name}`);
      subgraphHealth[name] = new URL("/health", target).toString();
      return new SignedDataSource({
        name,
        url: target,
        secret: signingSecretFor(name),
        logger,
        timeoutMs: options.subgraphTimeoutMs,
      });
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: withoutContextPrefix(createErrorMasker(logger, "gateway")),
    includeStacktraceInErrorResponses: false,
    // closeOnSignal owns SIGINT/SIGTERM; Apollo's own handler would re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    introspection: true,
    // graphql-js's own token bound, behind operationGuard's (which names the limit).
    parseOptions: { maxTokens: operationLimits.maxTokens + 1 },
    validationRules: [KnownOperationTypesRule],
    plugins: [
      landingPagePlugin(nodeEnv),
      operationResolutionPlugin(),
      idArgumentsPlugin(),
      scopesPlugin(logger),
      ...rateLimits,
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  // Fastify drains in-flight requests on close; Apollo stops after. (The integration's drain plugin
  // would call app.close() from inside app.close() and hang.)
  app.addHook("onClose", async () => {
    await apollo.stop();
    await auth.close();
  });

  const handler = fastifyApolloHandler(apollo, {
    context: (request) => createGatewayContext(request, auth.authenticator),
  });
  const preHandler = operationGuard(operationLimits);
  app.route({ method: ["GET", "POST"], url: "/", preHandler, handler });
  app.route({ method: ["GET", "POST"], url: "/graphql", preHandler, handler });

  // Served by the metrics listener on METRICS_PORT, never on this public port.
  addMetricsRegistry(app, metrics.registry);
  registerHealthRoutes(app, "gateway", { ...subgraphReadiness(subgraphHealth), ...redisReadiness(options.redis) });
  return app;
}
