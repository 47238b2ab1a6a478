import { closeOnSignal, createDatabase, createLogger, listen, loadEnv, runMigrations } from "@pokewatch/kit";
import { pipelineEnvSchema } from "./env.js";
import { createPipelineApp, pipelineMigrations } from "./pipeline-app.js";

const env = loadEnv(pipelineEnvSchema);
const logger = createLogger({ name: "pipeline", level: env.LOG_LEVEL });
const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
await runMigrations(db, "pipeline", pipelineMigrations());
const app = await createPipelineApp({
  secret: env.SUBGRAPH_SECRET,
  logger,
  db,
  cron: env.PIPELINE_CRON,
  maxBodyBytes: env.MAX_BODY_BYTES,
});
const server = await listen(app, { host: env.HOST, port: env.PIPELINE_PORT });
logger.info({ url: `${server.url}/graphql`, database: db.kind }, "pipeline subgraph listening");
closeOnSignal(logger, async () => {
  await server.close();
  await db.close();
});
