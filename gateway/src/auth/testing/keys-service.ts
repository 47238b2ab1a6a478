import { createApiKeyStore, createKeysApp, keysMigrations, type ApiKeyStore } from "@pokewatch/keys";
import {
  API_KEY_USAGE_ROUTE,
  API_KEY_VERIFY_ROUTE,
  createPgliteDatabase,
  listen,
  runMigrations,
  type Database,
  type RunningServer,
} from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";

/**
 * The real keys service (the keys subgraph on an in-memory PGlite) for gateway tests, counting
 * the internal calls the gateway makes to it and the ones it refuses for a bad signature.
 */
export interface TestKeysService {
  /** Origin of the keys service, for `auth.keysUrl`. */
  url: string;
  store: ApiKeyStore;
  calls: { verify: number; usage: number; refusedSignatures: number };
  close(): Promise<void>;
}

export async function startKeysService(secret: string): Promise<TestKeysService> {
  const db: Database = await createPgliteDatabase();
  await runMigrations(db, "keys", keysMigrations());
  const app = await createKeysApp({ db, secret, logger: silentLogger() });
  const calls = { verify: 0, usage: 0, refusedSignatures: 0 };
  app.addHook("onResponse", (request, reply, done) => {
    if (reply.statusCode === 401) calls.refusedSignatures += 1;
    else if (request.url === API_KEY_VERIFY_ROUTE) calls.verify += 1;
    else if (request.url === API_KEY_USAGE_ROUTE) calls.usage += 1;
    done();
  });
  const server: RunningServer = await listen(app, { host: "127.0.0.1", port: 0 });
  return {
    url: server.url,
    store: createApiKeyStore(db),
    calls,
    async close() {
      await server.close();
      await db.close();
    },
  };
}
