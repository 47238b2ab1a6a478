import { isApiKeyScope, pokewatchError, type Identity } from "@pokewatch/kit";
import type { KeysContext } from "../context.js";
import type { ApiKeyPage, ApiKeyStatus } from "../keys/api-key-store.js";

interface CreateApiKeyArgs {
  input: { name: string; scopes: string[]; expiresAt?: Date | null; rateLimitPerMinute?: number | null };
}

const notFound = (id: string) =>
  pokewatchError("NOT_FOUND", `No API key with id "${id}"`, { extensions: { argument: "id" } });

/** A key can never hand out more than it holds: every scope asked for must be the caller's own. */
function assertCallerHolds(identity: Identity, scopes: readonly string[], action: string): void {
  const lacking = scopes.find((scope) => !identity.scopes.includes(scope));
  if (lacking !== undefined) {
    throw pokewatchError("FORBIDDEN", `Cannot ${action} with scope "${lacking}": the calling key does not hold it`, {
      extensions: { scope: lacking },
    });
  }
}

function assertKnownScopes(scopes: readonly string[]): void {
  const unknown = scopes.find((scope) => !isApiKeyScope(scope));
  if (unknown !== undefined) {
    throw pokewatchError(
      "BAD_USER_INPUT",
      `Unknown scope "${unknown}"; scopes are prices:read, pipeline:read, pipeline:write, keys:admin`,
      { extensions: { argument: "input.scopes" } },
    );
  }
}

function toConnection(page: ApiKeyPage, after: string | null | undefined) {
  const edges = page.records.map((node, index) => ({ node, cursor: page.cursors[index]! }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Forward-only pagination: there are keys before this page exactly when a cursor was given.
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
    },
  };
}

export const apiKeyResolvers = {
  Query: {
    async apiKey(_root: unknown, { id }: { id: string }, { apiKeys }: KeysContext) {
      return (await apiKeys.findById(id)) ?? notFound(id);
    },
    async apiKeys(
      _root: unknown,
      { first, after, status }: { first: number; after?: string | null; status?: ApiKeyStatus | null },
      { apiKeys }: KeysContext,
    ) {
      return toConnection(await apiKeys.list({ first, after: after ?? null, status: status ?? null }), after);
    },
  },
  Mutation: {
    async createApiKey(_root: unknown, { input }: CreateApiKeyArgs, { apiKeys, identity }: KeysContext) {
      assertKnownScopes(input.scopes);
      assertCallerHolds(identity, input.scopes, "create a key");
      const { record, secret } = await apiKeys.create({
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
        rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      });
      return { apiKey: record, secret };
    },
    async revokeApiKey(_root: unknown, { id }: { id: string }, { apiKeys }: KeysContext) {
      return (await apiKeys.revoke(id)) ?? notFound(id);
    },
    async rotateApiKey(
      _root: unknown,
      { id, gracePeriodSeconds }: { id: string; gracePeriodSeconds: number },
      { apiKeys, identity }: KeysContext,
    ) {
      const existing = await apiKeys.findById(id);
      if (!existing) throw notFound(id);
      // The new secret carries the key's scopes: rotating must not hand out more than the caller holds.
      assertCallerHolds(identity, existing.scopes, "rotate a key");
      const rotated = await apiKeys.rotate(id, gracePeriodSeconds);
      if (!rotated) throw notFound(id);
      return { apiKey: rotated.record, secret: rotated.secret };
    },
  },
};
