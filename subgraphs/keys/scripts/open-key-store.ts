import {
  commonEnvShape,
  databaseEnvShape,
  connectRedis,
  createDatabase,
  createLogger,
  createRedis,
  parseEnv,
  runMigrations,
} from "@pokewatch/kit";
import { z } from "zod";
import { createApiKeyStore, type ApiKeyStore } from "../src/keys/api-key-store.js";
import { createApiKeyEvents } from "../src/keys/key-events.js";
import { keysMigrations } from "../src/keys-app.js";

const cliEnv = z.object({
  DATA_DIR: databaseEnvShape.DATA_DIR,
  DATABASE_URL: databaseEnvShape.DATABASE_URL,
  REDIS_URL: commonEnvShape.REDIS_URL,
});

export interface OpenedKeyStore {
  store: ApiKeyStore;
  /** Where the keys live, for the user: `postgres` or the embedded folder. */
  database: string;
  close(): Promise<void>;
}

/**
 * The store the keys service uses: DATABASE_URL if set, else the embedded database under DATA_DIR.
 * With REDIS_URL, revocations and rotations are announced to every gateway at once.
 */
export async function openKeyStore(
  source: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): Promise<OpenedKeyStore> {
  const env = parseEnv(cliEnv, {
    DATA_DIR: source.DATA_DIR || undefined,
    DATABASE_URL: source.DATABASE_URL || undefined,
    REDIS_URL: source.REDIS_URL || undefined,
  });
  const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const logger = createLogger({ name: "keys-cli", level: "silent" });
  let redis = env.REDIS_URL ? createRedis({ url: env.REDIS_URL, logger }) : undefined;
  try {
    await runMigrations(db, "keys", keysMigrations());
    if (redis && !(await connectRedis(redis))) {
      warn("Redis is unreachable: gateways will notice revocations and rotations when their cached keys expire");
      redis.disconnect();
      redis = undefined;
    }
  } catch (error) {
    redis?.disconnect();
    await db.close();
    throw error;
  }
  return {
    store: createApiKeyStore(db, { events: createApiKeyEvents(redis, logger) }),
    database: db.kind === "postgres" ? "DATABASE_URL" : env.DATA_DIR,
    async close() {
      redis?.disconnect();
      await db.close();
    },
  };
}
