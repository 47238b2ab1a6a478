import type { Database } from "@pokewatch/kit";
import { createArtifactStore, DEFAULT_DATA_DIR } from "./artifact-store.js";
import { storeArtifact } from "./model-registry.js";
import { isModelRegistryError } from "./registry-error.js";

export interface ImportFileArtifactsOptions {
  /** Migrated with `modelMigrations()` (version 2 or later). */
  db: Database;
  /** DATA_DIR: the files are read from `<dataDir>/models/<sha256>.onnx`. @default ".pokewatch" */
  dataDir?: string;
  /** The artifact directory itself, when not `<dataDir>/models`. */
  dir?: string;
}

/** What an import did, by sha256. */
export interface FileArtifactImport {
  /** Read from disk, verified and stored in `model_artifacts`. */
  imported: string[];
  /** Referenced by a version, but no file holds them: those versions cannot be served. */
  missing: string[];
  /** A file exists but its bytes hash to something else: not imported. */
  corrupted: string[];
}

/**
 * Moves artifacts that registries before model migration 2 wrote as files into the database: for
 * every sha256 a model version references and `model_artifacts` lacks, reads
 * `<dataDir>/models/<sha256>.onnx`, verifies it and stores it. Idempotent (a second call finds
 * nothing to do) and safe on replicas starting together (an insert of bytes already there is a
 * no-op). Missing or corrupted files are reported, never thrown: the rest of the registry works.
 */
export async function importFileArtifacts({
  db,
  dataDir = DEFAULT_DATA_DIR,
  dir,
}: ImportFileArtifactsOptions): Promise<FileArtifactImport> {
  const result: FileArtifactImport = { imported: [], missing: [], corrupted: [] };
  const wanted = await db.query<{ sha256: string }>(
    `SELECT DISTINCT artifact_sha256 AS sha256 FROM model_versions v
     WHERE NOT EXISTS (SELECT 1 FROM model_artifacts a WHERE a.sha256 = v.artifact_sha256)
     ORDER BY 1`,
  );
  if (wanted.length === 0) return result;
  const files = createArtifactStore(dir === undefined ? { dataDir } : { dir });
  for (const { sha256 } of wanted) {
    let bytes: Uint8Array;
    try {
      bytes = await files.get(sha256);
    } catch (error) {
      if (isModelRegistryError(error, "ARTIFACT_NOT_FOUND")) result.missing.push(sha256);
      else if (isModelRegistryError(error, "ARTIFACT_CORRUPTED")) result.corrupted.push(sha256);
      else throw error;
      continue;
    }
    await storeArtifact(db, sha256, bytes);
    result.imported.push(sha256);
  }
  return result;
}
