import {
  DateTimeScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  loadMigrations,
  type Database,
  type Logger,
  type Redis,
  redisReadiness,
  databaseReadiness,
} from "@pokewatch/kit";
import type { KeysContext } from "./context.js";
import { createApiKeyStore } from "./keys/api-key-store.js";
import { viewerResolvers } from "./resolvers/viewer-resolvers.js";

export const KEYS_SDL = new URL("../schema.graphql", import.meta.url);
export const keysMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreateKeysAppOptions {
  secret: string;
  logger: Logger;
  /** Migrated with `keysMigrations()` before this is called. */
  db: Database;
  maxBodyBytes?: number;
  /** Shared Redis when REDIS_URL is set; reported by `/ready`. */
  redis?: Redis;
}

export function createKeysApp({ secret, logger, db, maxBodyBytes, redis }: CreateKeysAppOptions) {
  const schema = buildSchemaFromFile<KeysContext>(KEYS_SDL, {
    DateTime: DateTimeScalar,
    ...viewerResolvers,
  });
  const apiKeys = createApiKeyStore(db);
  return createSubgraphApp<KeysContext>({
    name: "keys",
    schema,
    secret,
    logger,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({ ...base, apiKeys }),
  });
}
