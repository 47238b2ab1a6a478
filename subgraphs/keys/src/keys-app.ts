import {
  DateTimeScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  databaseReadiness,
  loadMigrations,
  redisReadiness,
  type LocalKeyChanges,
  type Database,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import type { KeysContext } from "./context.js";
import { registerInternalRoutes } from "./internal/internal-routes.js";
import { createApiKeyStore } from "./keys/api-key-store.js";
import { createApiKeyEvents } from "./keys/key-events.js";
import { apiKeyResolvers } from "./resolvers/api-key-resolvers.js";
import { viewerResolvers } from "./resolvers/viewer-resolvers.js";

export const KEYS_SDL = new URL("../schema.graphql", import.meta.url);
export const keysMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreateKeysAppOptions extends ServiceAppOptions {
  /** Migrated with `keysMigrations()` before this is called. */
  db: Database;
  /**
   * POKEWATCH_ADMIN_KEY: when set, an active key with this secret and every scope exists once the
   * app is built (how operators create their first key).
   */
  adminKey?: string | undefined;
  /** Requests per minute of keys created without their own limit. @default the store's */
  defaultRateLimitPerMinute?: number | undefined;
  /** Requests per minute of the admin key (ADMIN_RATE_LIMIT_RPM). @default the store's */
  adminRateLimitPerMinute?: number | undefined;
  /** @default () => new Date() */
  clock?: () => Date;
  /**
   * A gateway in the same process listens here (`pnpm start`): revocations and rotations reach
   * its cache before the mutation answers, with or without Redis.
   */
  localKeyChanges?: LocalKeyChanges | undefined;
}

/** The keys subgraph: `ApiKey` and `Viewer` at `/graphql`, plus the gateway's internal routes. */
export async function createKeysApp({
  db,
  redis,
  adminKey,
  defaultRateLimitPerMinute,
  adminRateLimitPerMinute,
  clock,
  localKeyChanges,
  ...service
}: CreateKeysAppOptions) {
  const schema = buildSchemaFromFile<KeysContext>(
    KEYS_SDL,
    {
      DateTime: DateTimeScalar,
      ...viewerResolvers,
      ...apiKeyResolvers,
      Query: { ...viewerResolvers.Query, ...apiKeyResolvers.Query },
    },
    // Key creation guards itself too: `createApiKey` stays limited even if a call reaches this
    // service without the gateway having counted it.
    { fieldLimits: { redis } },
  );
  const apiKeys = createApiKeyStore(db, {
    events: createApiKeyEvents(redis, service.logger, { local: localKeyChanges }),
    ...(clock ? { clock } : {}),
    ...(defaultRateLimitPerMinute ? { defaultRateLimitPerMinute } : {}),
    ...(adminRateLimitPerMinute ? { adminRateLimitPerMinute } : {}),
  });
  if (adminKey !== undefined) {
    const admin = await apiKeys.ensureAdminKey(adminKey);
    service.logger.info({ keyId: admin.id, key: admin.maskedKey }, "admin key from POKEWATCH_ADMIN_KEY is active");
  }
  const app = await createSubgraphApp<KeysContext>({
    ...service,
    name: "keys",
    schema,
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({ ...base, apiKeys }),
  });
  registerInternalRoutes(app, apiKeys);
  return app;
}
