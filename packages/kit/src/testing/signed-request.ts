import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { anonymousIdentity, type Identity } from "../identity.js";
import { subgraphNameOf } from "../http/subgraph-server.js";
import { signIdentity } from "../signing.js";

export const TEST_SECRET = "test-subgraph-secret-with-at-least-32-chars";

export function testIdentity(overrides: Partial<Identity> = {}): Identity {
  return { ...anonymousIdentity(randomUUID()), ...overrides };
}

export interface GraphQLResponseBody<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** Posts a GraphQL operation to a subgraph app in-process, signed as the gateway would sign it. */
export async function signedQuery<TData = Record<string, unknown>>(
  app: FastifyInstance,
  query: string,
  {
    variables,
    identity = testIdentity(),
    secret = TEST_SECRET,
  }: { variables?: Record<string, unknown>; identity?: Identity; secret?: string } = {},
) {
  const body = JSON.stringify({ query, variables });
  const audience = subgraphNameOf(app) ?? "unknown";
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    headers: {
      "content-type": "application/json",
      ...signIdentity(identity, secret, { audience, method: "POST", path: "/graphql", body }),
    },
    payload: body,
  });
  return { status: response.statusCode, headers: response.headers, body: response.json<GraphQLResponseBody<TData>>() };
}
