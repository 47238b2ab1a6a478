import { join } from "node:path";
import { loadMigrations, runMigrations, type Database, type Logger } from "@pokewatch/kit";
import { DEFAULT_DATA_DIR } from "./artifact-store.js";
import { importFileArtifacts, type FileArtifactImport } from "./import-file-artifacts.js";

/** The registry's tables; apply with `migrateModelRegistry` (or `runMigrations(db, "model", modelMigrations())` then `importFileArtifacts`). */
export const modelMigrations = () => loadMigrations(new URL("../../migrations/", import.meta.url));

export interface MigrateModelRegistryOptions {
  /** DATA_DIR, where registries before model migration 2 wrote `models/<sha256>.onnx`. @default ".pokewatch" */
  dataDir?: string | undefined;
  logger: Pick<Logger, "info" | "warn">;
}

/**
 * What every service that opens the registry runs at start: the model migrations, then the import
 * of artifact files left under `<dataDir>/models` into the database (a no-op once they are in).
 * Versions whose file is missing or damaged are logged, not fatal: they stay listed but cannot be
 * served, and the rest of the registry works.
 */
export async function migrateModelRegistry(
  db: Database,
  { dataDir = DEFAULT_DATA_DIR, logger }: MigrateModelRegistryOptions,
): Promise<FileArtifactImport> {
  await runMigrations(db, "model", modelMigrations());
  const report = await importFileArtifacts({ db, dataDir });
  const dir = join(dataDir, "models");
  if (report.imported.length > 0) {
    logger.info({ dir, imported: report.imported }, "moved model artifact files into the database");
  }
  if (report.missing.length > 0 || report.corrupted.length > 0) {
    logger.warn(
      { dir, missing: report.missing, corrupted: report.corrupted },
      "model versions whose artifact file is missing or corrupted cannot be served: restore the files and restart, or train a new model",
    );
  }
  return report;
}
