import type { Queryable } from "@pokewatch/kit";

export type ModelStage = "PRODUCTION" | "STAGING" | "ARCHIVED";

export interface ModelVersionRecord {
  id: string;
  version: number;
  stage: ModelStage;
  createdAt: Date;
  artifactSha256: string;
}

interface ModelVersionRow {
  id: string;
  version: number;
  stage: ModelStage;
  created_at: Date;
  artifact_sha256: string;
}

export interface ModelVersionStore {
  findById(id: string): Promise<ModelVersionRecord | null>;
}

export function createModelVersionStore(db: Queryable): ModelVersionStore {
  return {
    async findById(id) {
      const [row] = await db.query<ModelVersionRow>(
        "SELECT id, version, stage, created_at, artifact_sha256 FROM model_versions WHERE id = $1",
        [id],
      );
      return row
        ? {
            id: row.id,
            version: row.version,
            stage: row.stage,
            createdAt: row.created_at,
            artifactSha256: row.artifact_sha256,
          }
        : null;
    },
  };
}
