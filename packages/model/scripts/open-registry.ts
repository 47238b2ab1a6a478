import { createDatabase, runMigrations } from "@pokewatch/kit";
import {
  createArtifactStore,
  createModelRegistry,
  DEFAULT_DATA_DIR,
  modelMigrations,
  type ModelRegistry,
} from "../src/index.js";

/** The registry the services use: DATABASE_URL if set, else the embedded database under DATA_DIR. */
export async function openRegistry(
  env = process.env,
): Promise<{ registry: ModelRegistry; close: () => Promise<void> }> {
  const dataDir = env.DATA_DIR || DEFAULT_DATA_DIR;
  const db = await createDatabase({ url: env.DATABASE_URL || undefined, dataDir });
  await runMigrations(db, "model", modelMigrations());
  return {
    registry: createModelRegistry({ db, artifacts: createArtifactStore({ dataDir }) }),
    close: () => db.close(),
  };
}
