import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GraphQLSchema } from "graphql";
import { createErrorMasker } from "../errors.js";
import type { Identity } from "../identity.js";
import type { Logger } from "../logger.js";
import type { Redis } from "../redis.js";
import { hasSignatureHeaders, verifySignedIdentity } from "../signing.js";
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
  /**
   * The secret the gateway signs this subgraph's requests with: SUBGRAPH_SECRET_<NAME>, or the
   * shared SUBGRAPH_SECRET (see `subgraphSecretOf`).
   */
  secret: string;
  /** Also accepted while a rotation is under way (SUBGRAPH_SECRET[_<NAME>]_PREVIOUS); never signed with. */
  previousSecret?: string | undefined;
  logger: Logger;
  /** MAX_BODY_BYTES. @default 1 MiB */
  maxBodyBytes?: number | undefined;
  /** Shared Redis when REDIS_URL is set; reported by `/ready`. */
  redis?: Redis | undefined;
  /** BEHIND_TLS: answers carry `Strict-Transport-Security`. @default false */
  behindTls?: boolean | undefined;
}

export interface CreateSubgraphAppOptions<TContext extends SubgraphContext> extends Omit<ServiceAppOptions, "redis"> {
  name: string;
  schema: GraphQLSchema;
  readiness?: Record<string, ReadinessCheck>;
  /** The service's own Apollo Server plugins (e.g. to release per-request resources). */
  plugins?: ApolloServerPlugin<TContext>[];
  /** Adds the service's own dependencies to the verified base context. */
  buildContext(base: SubgraphContext, request: FastifyRequest): TContext | Promise<TContext>;
}

const verifiedIdentities = new WeakMap<FastifyRequest, Identity>();
const rawBodies = new WeakMap<FastifyRequest, string>();
const subgraphNames = new WeakMap<FastifyInstance, string>();
const signatureChecks = new WeakMap<FastifyInstance, SignatureCheck>();

/** The two hooks that let only the gateway's signed requests through, for one subgraph. */
interface SignatureCheck {
  onRequest(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

function refuse(request: FastifyRequest, reply: FastifyReply, reason: string) {
  request.log.warn({ reason, remote: request.ip }, "refused a subgraph call not signed by the gateway");
  return reply
    .status(401)
    .header("www-authenticate", 'PokeWatch-Signature realm="subgraph"')
    .header("content-type", "application/json; charset=utf-8")
    .send(JSON.stringify({ errors: [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }] }));
}

function createSignatureCheck(name: string, secrets: readonly string[]): SignatureCheck {
  return {
    // Cheap refusal before the body is read; the full check needs the body.
    async onRequest(request, reply) {
      if (!hasSignatureHeaders(request.headers)) return refuse(request, reply, "request is not signed by the gateway");
    },
    async preHandler(request, reply) {
      const body = rawBodies.get(request) ?? "";
      const verdict = verifySignedIdentity(request.headers, secrets, {
        audience: name,
        method: request.method,
        // As received: the path and query the gateway signed (Fastify keeps the raw request target).
        path: request.url,
        body,
      });
      if (!verdict.ok) return refuse(request, reply, verdict.reason);
      verifiedIdentities.set(request, verdict.identity);
    },
  };
}

/**
 * A private subgraph: Apollo Server on Fastify at `POST /graphql`, reachable only with the
 * gateway's signature for this subgraph, method, path and body (anything else is 401 before
 * GraphQL runs), plus `/health` and `/ready`.
 */
export async function createSubgraphApp<TContext extends SubgraphContext>(
  options: CreateSubgraphAppOptions<TContext>,
): Promise<FastifyInstance> {
  const { name, schema, secret, previousSecret, logger } = options;
  const app = createHttpApp({
    logger,
    maxBodyBytes: options.maxBodyBytes,
    service: name,
    behindTls: options.behindTls,
  });
  registerHealthRoutes(app, name, options.readiness);

  const apollo = new ApolloServer<TContext>({
    schema,
    formatError: createErrorMasker(logger, name),
    includeStacktraceInErrorResponses: false,
    // closeOnSignal owns SIGINT/SIGTERM; Apollo's own handler would re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    // No inline traces: they are for Apollo Studio, which PokeWatch does not report to.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(options.plugins ?? []),
    ],
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
  // The signature covers the exact body, so keep it as received before parsing it.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    rawBodies.set(request, body as string);
    void parseJson(request, body as string, done);
  });

  if (previousSecret) {
    logger.info(
      { subgraph: name },
      "accepting the previous subgraph secret besides the current one (a rotation): unset it once every gateway signs with the current one",
    );
  }
  const signatureCheck = createSignatureCheck(name, previousSecret ? [secret, previousSecret] : [secret]);
  app.route({ method: "POST", url: "/graphql", ...signatureCheck, handler });
  subgraphNames.set(app, name);
  signatureChecks.set(app, signatureCheck);
  return app;
}

export interface SignedRouteOptions {
  /** e.g. `/internal/api-keys/verify`. */
  url: string;
  /** Runs only for a request the gateway signed for this subgraph, over this exact JSON body. */
  handler: (request: FastifyRequest, reply: FastifyReply, identity: Identity) => Promise<unknown>;
}

/**
 * A non-GraphQL `POST` route on a subgraph app, as private as its `/graphql`: the same signature
 * check (audience = the subgraph's name, over the method, this path and the raw body) and the
 * same 401 refusal.
 */
export function registerSignedRoute(app: FastifyInstance, { url, handler }: SignedRouteOptions): void {
  const signatureCheck = signatureChecks.get(app);
  if (!signatureCheck) {
    throw new Error(`registerSignedRoute(${url}) needs an app made by createSubgraphApp, which verifies signatures`);
  }
  app.route({
    method: "POST",
    url,
    ...signatureCheck,
    handler: (request, reply) => handler(request, reply, verifiedIdentities.get(request)!),
  });
}

/** The name a subgraph app signs and verifies as (test helpers sign requests for it). */
export function subgraphNameOf(app: FastifyInstance): string | undefined {
  return subgraphNames.get(app);
}
