import type { Identity, Logger } from "@pokewatch/kit";
import type { FastifyRequest } from "fastify";
import { openAuthenticator, type Authenticator } from "./auth/api-key-auth.js";

/** What the gateway knows about one request; the identity is signed onto every subgraph call. */
export interface GatewayContext {
  identity: Identity;
  requestId: string;
  logger: Logger;
}

/**
 * Establishes who is calling before any subgraph is. A refused key throws a GraphQLError carrying
 * its HTTP status and headers, which Apollo Server answers as is.
 * @param authenticator @default openAuthenticator() (every scope: AUTH_ENABLED=false)
 */
export async function createGatewayContext(
  request: FastifyRequest,
  authenticator: Authenticator = openAuthenticator(),
): Promise<GatewayContext> {
  const logger = request.log as Logger;
  const identity = await authenticator.authenticate(request.headers, request.id, logger, request.ip);
  return { identity, requestId: request.id, logger };
}
