import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from "@apollo/server";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import { createErrorMasker, createHttpApp, registerHealthRoutes, type Logger } from "@pokewatch/kit";
import type { GraphQLFormattedError } from "graphql";
import { createGatewayAuth, type GatewayAuthOptions } from "./auth/gateway-auth.js";
import { keysServiceOrigin } from "./auth/keys-url.js";
import { createGatewayContext, type GatewayContext } from "./context.js";
import { registerCors } from "./http/cors.js";
import { subgraphReadiness } from "./http/subgraph-readiness.js";
import { landingPagePlugin } from "./plugins/landing-page.js";
import { operationResolutionPlugin } from "./plugins/operation-resolution.js";
import { scopesPlugin } from "./scopes/scopes-plugin.js";
import { SignedDataSource } from "./signed-data-source.js";

export interface CreateGatewayAppOptions {
  supergraphSdl: string;
  secret: string;
  logger: Logger;
  /** Replaces the routing URL the supergraph gives a subgraph, by subgraph name. */
  subgraphUrls?: Record<string, string>;
  /** CORS_ORIGINS: `*` or a comma-separated list. @default "*" */
  corsOrigins?: string;
  maxBodyBytes?: number | undefined;
  /** @default "development" */
  nodeEnv?: string;
  /**
   * API keys. Omitted: off (anonymous callers with every scope), as for AUTH_ENABLED=false; the
   * entry points pass `{ enabled: env.AUTH_ENABLED, … }`. @default { enabled: false }
   */
  auth?: GatewayAuthOptions;
  /** Added after the built-in plugins (landing page, operation resolution, scopes). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
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
  const { supergraphSdl, secret, logger, subgraphUrls = {}, nodeEnv = "development" } = options;
  const auth = await createGatewayAuth(options.auth ?? { enabled: false }, {
    secret,
    logger,
    defaultKeysUrl: keysServiceOrigin(supergraphSdl, subgraphUrls),
  });
  const app = createHttpApp({ logger, maxBodyBytes: options.maxBodyBytes });
  await registerCors(app, options.corsOrigins);

  const subgraphHealth: Record<string, string> = {};
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`supergraph gives no URL for subgraph ${name}`);
      subgraphHealth[name] = new URL("/health", target).toString();
      return new SignedDataSource({ name, url: target, secret, logger });
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: withoutContextPrefix(createErrorMasker(logger, "gateway")),
    includeStacktraceInErrorResponses: false,
    // closeOnSignal owns SIGINT/SIGTERM; Apollo's own handler would re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    introspection: true,
    plugins: [
      landingPagePlugin(nodeEnv),
      operationResolutionPlugin(),
      scopesPlugin(logger),
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
  app.route({ method: ["GET", "POST"], url: "/", handler });
  app.route({ method: ["GET", "POST"], url: "/graphql", handler });

  registerHealthRoutes(app, "gateway", subgraphReadiness(subgraphHealth));
  return app;
}
