import { anonymousIdentity, type Identity, type Logger } from "@pokewatch/kit";
import type { FastifyRequest } from "fastify";

/** What the gateway knows about one request; the identity is signed onto every subgraph call. */
export interface GatewayContext {
  identity: Identity;
  requestId: string;
  logger: Logger;
}

export function createGatewayContext(request: FastifyRequest): Promise<GatewayContext> {
  return Promise.resolve({
    identity: anonymousIdentity(request.id),
    requestId: request.id,
    logger: request.log as Logger,
  });
}
