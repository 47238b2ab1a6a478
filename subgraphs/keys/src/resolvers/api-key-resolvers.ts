import { isApiKeyScope, pokewatchError, type Identity } from "@pokewatch/kit";
import type { KeysContext } from "../context.js";
import { ADMIN_KEY_ID, type ApiKeyPage, type ApiKeyStatus, type ApiKeyStore } from "../keys/api-key-store.js";

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

/**
 * Nor more than it is allowed: a key it creates may not outlast it, nor make more requests a
 * minute than it may.
 */
async function assertCallerAllows(
  identity: Identity,
  apiKeys: ApiKeyStore,
  input: { expiresAt?: Date | null; rateLimitPerMinute?: number | null },
): Promise<void> {
  const asked = input.rateLimitPerMinute;
  if (asked != null && identity.rateLimitPerMinute !== null && asked > identity.rateLimitPerMinute) {
    throw pokewatchError(
      "FORBIDDEN",
      `Cannot create a key with rateLimitPerMinute ${asked}: the calling key allows ${identity.rateLimitPerMinute}`,
      { extensions: { argument: "input.rateLimitPerMinute" } },
    );
  }
  const caller = identity.keyId ? await apiKeys.findById(identity.keyId) : null;
  const callerExpiry = caller?.expiresAt ?? null;
  if (callerExpiry && (!input.expiresAt || input.expiresAt > callerExpiry)) {
    throw pokewatchError(
      "FORBIDDEN",
      `Cannot create a key that outlasts the calling key: it expires at ${callerExpiry.toISOString()}; give an expiresAt before then`,
      { extensions: { argument: "input.expiresAt" } },
    );
  }
}

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
      assertCallerHolds(identity, input.scopes, "create a key");
      await assertCallerAllows(identity, apiKeys, input);
      const { record, secret } = await apiKeys.create({
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
        rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      });
      return { apiKey: record, secret };
    },
    async revokeApiKey(_root: unknown, { id }: { id: string }, { apiKeys }: KeysContext) {
      assertNotAdminKey(id, "revoke");
      return (await apiKeys.revoke(id)) ?? notFound(id);
    },
    async rotateApiKey(
      _root: unknown,
      { id, gracePeriodSeconds }: { id: string; gracePeriodSeconds: number },
      { apiKeys, identity }: KeysContext,
    ) {
      assertNotAdminKey(id, "rotate");
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
