import { randomUUID } from "node:crypto";
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { REQUEST_ID_HEADER, anonymousIdentity, signIdentity } from "@pokewatch/kit";
import type { GatewayContext } from "./context.js";

/**
 * Sends each subgraph request with the caller's identity signed by the shared secret and the
 * request id, so subgraphs can trust who is calling and logs line up across services.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Gateway-internal requests (health checks) carry no request context.
    const identity = (context as Partial<GatewayContext>).identity ?? anonymousIdentity(randomUUID());
    const headers = request.http?.headers;
    if (!headers) return;
    for (const [name, value] of Object.entries(signIdentity(identity, this.secret))) headers.set(name, value);
    headers.set(REQUEST_ID_HEADER, identity.requestId);
  }
}
