import { isApiKeyScope, pokewatchError } from "@pokewatch/kit";
import type { KeysContext } from "../context.js";
import { ADMIN_KEY_ID, type ApiKeyPage, type ApiKeyStatus } from "../keys/api-key-store.js";
import { activeCaller, assertGrantWithin } from "../keys/key-grant-rules.js";

interface CreateApiKeyArgs {
  input: { name: string; scopes: string[]; expiresAt?: Date | null; rateLimitPerMinute?: number | null };
}

const notFound = (id: string) =>
  pokewatchError("NOT_FOUND", `No API key with id "${id}"`, { extensions: { argument: "id" } });

/**
 * `key_admin` is POKEWATCH_ADMIN_KEY: the keys service restores it at every start, so changing it
 * through the API would be silently undone.
 */
function assertNotAdminKey(id: string, action: string): void {
  if (id !== ADMIN_KEY_ID) return;
  throw pokewatchError(
    "BAD_USER_INPUT",
    `Cannot ${action} ${ADMIN_KEY_ID} through the API: it is POKEWATCH_ADMIN_KEY, restored at every start. Rotate it by setting a new POKEWATCH_ADMIN_KEY (pnpm keys secret) and restarting; revoke it by unsetting POKEWATCH_ADMIN_KEY and running pnpm keys revoke ${ADMIN_KEY_ID}.`,
    { extensions: { argument: "id" } },
  );
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
      const caller = await activeCaller(identity, apiKeys);
      const grant = {
        scopes: input.scopes,
        rateLimitPerMinute: input.rateLimitPerMinute ?? apiKeys.defaultRateLimitPerMinute,
        expiresAt: input.expiresAt ?? null,
      };
      assertGrantWithin(caller, grant, "create a key", (field) => `input.${field}`);
      const { record, secret } = await apiKeys.create({
        name: input.name,
        scopes: input.scopes,
        expiresAt: grant.expiresAt,
        rateLimitPerMinute: grant.rateLimitPerMinute,
      });
      return { apiKey: record, secret };
    },
    async revokeApiKey(_root: unknown, { id }: { id: string }, { apiKeys, identity }: KeysContext) {
      assertNotAdminKey(id, "revoke");
      await activeCaller(identity, apiKeys);
      return (await apiKeys.revoke(id)) ?? notFound(id);
    },
    async rotateApiKey(
      _root: unknown,
      { id, gracePeriodSeconds }: { id: string; gracePeriodSeconds: number },
      { apiKeys, identity }: KeysContext,
    ) {
      assertNotAdminKey(id, "rotate");
      const caller = await activeCaller(identity, apiKeys);
      const existing = await apiKeys.findById(id);
      if (!existing) throw notFound(id);
      // The new secret works as the key does: rotating hands out exactly what creating it would.
      assertGrantWithin(caller, existing, `rotate ${id}`, () => "id");
      const rotated = await apiKeys.rotate(id, gracePeriodSeconds);
      if (!rotated) throw notFound(id);
      return { apiKey: rotated.record, secret: rotated.secret };
    },
  },
};
