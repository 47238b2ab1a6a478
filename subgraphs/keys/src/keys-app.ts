import {
  DateTimeScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  databaseReadiness,
  loadMigrations,
  redisReadiness,
  type Database,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import type { KeysContext } from "./context.js";
import { createApiKeyStore } from "./keys/api-key-store.js";
import { viewerResolvers } from "./resolvers/viewer-resolvers.js";

export const KEYS_SDL = new URL("../schema.graphql", import.meta.url);
export const keysMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreateKeysAppOptions extends ServiceAppOptions {
  /** Migrated with `keysMigrations()` before this is called. */
  db: Database;
}

export function createKeysApp({ db, redis, ...service }: CreateKeysAppOptions) {
  const schema = buildSchemaFromFile<KeysContext>(KEYS_SDL, { DateTime: DateTimeScalar, ...viewerResolvers });
  const apiKeys = createApiKeyStore(db);
  return createSubgraphApp<KeysContext>({
    ...service,
    name: "keys",
    schema,
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({ ...base, apiKeys }),
  });
}
