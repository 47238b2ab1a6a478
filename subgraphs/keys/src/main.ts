import { closeOnSignal, createDatabase, createLogger, listen, loadEnv, runMigrations } from "@pokewatch/kit";
import { keysEnvSchema } from "./env.js";
import { createKeysApp, keysMigrations } from "./keys-app.js";

const env = loadEnv(keysEnvSchema);
const logger = createLogger({ name: "keys", level: env.LOG_LEVEL });
const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
await runMigrations(db, "keys", keysMigrations());
const app = await createKeysApp({ secret: env.SUBGRAPH_SECRET, logger, db, maxBodyBytes: env.MAX_BODY_BYTES });
const server = await listen(app, { host: env.HOST, port: env.KEYS_PORT });
logger.info({ url: `${server.url}/graphql`, database: db.kind }, "keys subgraph listening");
closeOnSignal(logger, async () => {
  await server.close();
  await db.close();
});
