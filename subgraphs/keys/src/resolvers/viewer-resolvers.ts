import { pokewatchError, type Identity } from "@pokewatch/kit";
import type { KeysContext } from "../context.js";

export const viewerResolvers = {
  Query: {
    viewer: (_root: unknown, _args: unknown, { identity }: KeysContext): Identity => identity,
  },
  Viewer: {
    authenticated: (identity: Identity) => identity.keyId !== null,
    key: (identity: Identity, _args: unknown, { apiKeys }: KeysContext) =>
      identity.keyId ? apiKeys.findById(identity.keyId) : null,
    quota: (identity: Identity) =>
      identity.quota ? { ...identity.quota, resetAt: new Date(identity.quota.resetAt) } : null,
  },
  ApiKey: {
    async __resolveReference({ id }: { id: string }, { apiKeys }: KeysContext) {
      return (await apiKeys.findById(id)) ?? pokewatchError("NOT_FOUND", `No API key with id "${id}"`);
    },
  },
};
