import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { GraphQLSchema } from "graphql";
import { createErrorMasker } from "../errors.js";
import type { Identity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { Redis } from "../redis.js";
import { verifySignedIdentity } from "../signing.js";
import { createHttpApp } from "./http-app.js";
import { registerHealthRoutes, type ReadinessCheck } from "./health-routes.js";

/** What every subgraph resolver receives; services extend it with their own stores and loaders. */
export interface SubgraphContext {
  identity: Identity;
  requestId: string;
  logger: Logger;
}

/** What every service's app factory takes, whatever else it needs. */
export interface ServiceAppOptions {
  /** SUBGRAPH_SECRET shared by the gateway and the subgraphs. */
  secret: string;
  logger: Logger;
  /** MAX_BODY_BYTES. @default 1 MiB */
  maxBodyBytes?: number | undefined;
  /** Shared Redis when REDIS_URL is set; reported by `/ready`. */
  redis?: Redis | undefined;
}

export interface CreateSubgraphAppOptions<TContext extends SubgraphContext> extends Omit<ServiceAppOptions, "redis"> {
  name: string;
  schema: GraphQLSchema;
  readiness?: Record<string, ReadinessCheck>;
  /** Adds the service's own dependencies to the verified base context. */
  buildContext(base: SubgraphContext, request: FastifyRequest): TContext | Promise<TContext>;
}

const verifiedIdentities = new WeakMap<FastifyRequest, Identity>();

/**
 * A private subgraph: Apollo Server on Fastify at `/graphql`, reachable only with the gateway's
 * signature (anything else is 401 before GraphQL runs), plus `/health` and `/ready`.
 */
export async function createSubgraphApp<TContext extends SubgraphContext>(
  options: CreateSubgraphAppOptions<TContext>,
): Promise<FastifyInstance> {
  const { name, schema, secret, logger } = options;
  const app = createHttpApp({ logger, maxBodyBytes: options.maxBodyBytes });
  registerHealthRoutes(app, name, options.readiness);

  const apollo = new ApolloServer<TContext>({
    schema,
    formatError: createErrorMasker(logger, name),
    includeStacktraceInErrorResponses: false,
    // No inline traces: they are for Apollo Studio, which PokeWatch does not report to.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  // Fastify drains in-flight requests on close; Apollo stops after. (The integration's drain plugin
  // would call app.close() from inside app.close() and hang.)
  app.addHook("onClose", async () => apollo.stop());

  const handler = fastifyApolloHandler(apollo, {
    context: async (request) => {
      const identity = verifiedIdentities.get(request)!;
      const base: SubgraphContext = { identity, requestId: request.id, logger: request.log as Logger };
      return options.buildContext(base, request);
    },
  });
  app.route({
    method: ["GET", "POST"],
    url: "/graphql",
    onRequest: async (request, reply) => {
      const verdict = verifySignedIdentity(request.headers, secret);
      if (!verdict.ok) {
        request.log.warn({ reason: verdict.reason, remote: request.ip }, "refused an unsigned subgraph call");
        return reply
          .status(401)
          .header("www-authenticate", 'PokeWatch-Signature realm="subgraph"')
          .header("content-type", "application/json; charset=utf-8")
          .send(
            JSON.stringify({
              errors: [{ message: `Unauthenticated: ${verdict.reason}`, extensions: { code: "UNAUTHENTICATED" } }],
            }),
          );
      }
      verifiedIdentities.set(request, verdict.identity);
    },
    handler,
  });
  return app;
}
