import { createDatabase, createLogger, databaseEnvShape, parseEnv } from "@pokewatch/kit";
import { z } from "zod";
import { createModelRegistry, migrateModelRegistry, type ModelRegistry } from "../src/index.js";

const registryEnv = z.object({ DATA_DIR: databaseEnvShape.DATA_DIR, DATABASE_URL: databaseEnvShape.DATABASE_URL });

/** The registry the services use: DATABASE_URL if set, else the embedded database under DATA_DIR. */
export async function openRegistry(
  source: Record<string, string | undefined> = process.env,
): Promise<{ registry: ModelRegistry; close: () => Promise<void> }> {
  const env = parseEnv(registryEnv, {
    DATA_DIR: source.DATA_DIR || undefined,
    DATABASE_URL: source.DATABASE_URL || undefined,
  });
  const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const logger = createLogger({ name: "model-registry", destination: process.stderr });
  await migrateModelRegistry(db, { dataDir: env.DATA_DIR, logger });
  return {
    registry: createModelRegistry({ db }),
    close: () => db.close(),
  };
}
