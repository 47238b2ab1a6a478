import type { Database, Queryable } from "@pokewatch/kit";
import { sha256Hex } from "./artifact-store.js";
import { newModelVersionId } from "./model-version-id.js";
import { MODEL_VERSION_COLUMNS, toModelVersion, type ModelVersionRow } from "./model-version-row.js";
import type { ModelStage, ModelVersion, NewModelVersion } from "./model-version.js";
import { ModelRegistryError, ModelVersionNotFoundError } from "./registry-error.js";
import { validateNewModelVersion } from "./validate-new-model-version.js";
import { decodeVersionCursor, encodeVersionCursor } from "./version-cursor.js";

export const MODEL_STAGES: readonly ModelStage[] = ["PRODUCTION", "STAGING", "ARCHIVED"];
/** Largest page `list` returns. */
export const MAX_PAGE_SIZE = 100;

export interface CreateModelRegistryOptions {
  /** Migrated with `modelMigrations()`; it holds the artifacts too (`model_artifacts`), so every replica sharing it loads the same bytes. */
  db: Database;
}

export interface RegisterOptions {
  /** PRODUCTION archives the current production version in the same transaction. @default "STAGING" */
  stage?: ModelStage;
}

export interface ListModelVersionsOptions {
  stage?: ModelStage;
  /** @default 20, at most 100 */
  first?: number;
  /** `endCursor` of the previous page. */
  after?: string | null;
}

/** A Relay-style page, newest version first. */
export interface ModelVersionConnection {
  edges: { node: ModelVersion; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** What `promoteIf` found under the registry's lock, and what it did. */
export interface ConditionalPromotion {
  /** True only when this call made `version` production. */
  promoted: boolean;
  /** The version asked for, as it is after the call. */
  version: ModelVersion;
  /**
   * The production version found under the lock, before any change (re-read after the call, so a
   * replaced one shows as ARCHIVED); null when there was none.
   */
  current: ModelVersion | null;
}

export interface ModelRegistry {
  register(input: NewModelVersion, options?: RegisterOptions): Promise<ModelVersion>;
  get(id: string): Promise<ModelVersion | null>;
  /** The one PRODUCTION version, or null when none is. */
  production(): Promise<ModelVersion | null>;
  list(options?: ListModelVersionsOptions): Promise<ModelVersionConnection>;
  /** Makes `id` the production version and archives the previous one; promoting an archived version is a rollback. */
  promote(id: string): Promise<ModelVersion>;
  /**
   * Promotes `id` only if the production version still is `expectedProductionId` (null: there is
   * none), checked and changed in one transaction under the write lock, so a comparison made against
   * one production model never replaces another. Promotes nothing when `id` already is production.
   */
  promoteIf(id: string, expectedProductionId: string | null): Promise<ConditionalPromotion>;
  archive(id: string): Promise<ModelVersion>;
  /**
   * Stores artifact bytes without registering a version (a no-op when they are there) and returns
   * their sha256: repairs versions whose bytes were lost, e.g. a file missing when they were imported.
   */
  storeArtifact(bytes: Uint8Array): Promise<string>;
  /**
   * The ONNX bytes of `version`, read from the database and verified against its sha256:
   * `ARTIFACT_NOT_FOUND` when no row holds them, `ARTIFACT_CORRUPTED` when the bytes hash to anything else.
   */
  loadArtifact(version: Pick<ModelVersion, "artifactSha256">): Promise<Uint8Array>;
}

function assertStage(stage: unknown): asserts stage is ModelStage {
  if (!MODEL_STAGES.includes(stage as ModelStage)) {
    throw new ModelRegistryError(
      "INVALID_ARGUMENT",
      `stage must be one of ${MODEL_STAGES.join(", ")}, got ${String(stage)}`,
    );
  }
}

/**
 * Every write takes this lock first, so version numbers are handed out one at a time and two
 * promotions never both see the same production version. Plain reads are not blocked.
 */
const lockForWrite = (tx: Queryable) => tx.query("LOCK TABLE model_versions IN SHARE ROW EXCLUSIVE MODE");

const archiveProduction = (tx: Queryable, exceptId: string | null) =>
  tx.query(
    `UPDATE model_versions SET stage = 'ARCHIVED', archived_at = now()
     WHERE stage = 'PRODUCTION' AND id IS DISTINCT FROM $1`,
    [exceptId],
  );

/** Stores the bytes under their sha256 unless a row already holds them (same hash, same bytes). */
export const storeArtifact = (q: Queryable, sha256: string, bytes: Uint8Array) =>
  q.query("INSERT INTO model_artifacts (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING", [
    sha256,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  ]);

const SHA256 = /^[0-9a-f]{64}$/;

export function createModelRegistry({ db }: CreateModelRegistryOptions): ModelRegistry {
  const findOne = async (where: string, params: unknown[], q: Queryable = db) => {
    const [row] = await q.query<ModelVersionRow>(
      `SELECT ${MODEL_VERSION_COLUMNS} FROM model_versions ${where}`,
      params,
    );
    return row ? toModelVersion(row) : null;
  };

  const makeProduction = async (tx: Queryable, id: string) => {
    await archiveProduction(tx, id);
    await tx.query(
      "UPDATE model_versions SET stage = 'PRODUCTION', promoted_at = now(), archived_at = NULL WHERE id = $1",
      [id],
    );
  };

  /** Locks, checks `id` exists, then runs `change`; the caller's transaction makes it all-or-nothing. */
  const changeStage = (id: string, change: (tx: Queryable, current: ModelVersion) => Promise<void>) =>
    db.transaction(async (tx) => {
      await lockForWrite(tx);
      const current = await findOne("WHERE id = $1", [id], tx);
      if (!current) throw new ModelVersionNotFoundError(id);
      await change(tx, current);
      return (await findOne("WHERE id = $1", [id], tx))!;
    });

  return {
    async register(input, { stage = "STAGING" } = {}) {
      assertStage(stage);
      validateNewModelVersion(input);
      const sha256 = sha256Hex(input.artifact);
      // The bytes and the version in one transaction: a version never points at missing bytes.
      return db.transaction(async (tx) => {
        await lockForWrite(tx);
        await storeArtifact(tx, sha256, input.artifact);
        const [next] = await tx.query<{ version: number }>(
          "SELECT coalesce(max(version), 0) + 1 AS version FROM model_versions",
        );
        if (stage === "PRODUCTION") await archiveProduction(tx, null);
        const [row] = await tx.query<ModelVersionRow>(
          `INSERT INTO model_versions (id, version, stage, promoted_at, archived_at, artifact_sha256, artifact_bytes,
             features, training_summary, metrics, prediction_interval)
           VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN now() END, CASE WHEN $5::boolean THEN now() END,
             $6, $7, $8::text[], $9::jsonb, $10::jsonb, $11::jsonb)
           RETURNING ${MODEL_VERSION_COLUMNS}`,
          [
            newModelVersionId(),
            next!.version,
            stage,
            stage === "PRODUCTION",
            stage === "ARCHIVED",
            sha256,
            input.artifact.byteLength,
            input.features,
            JSON.stringify(input.trainingSummary),
            JSON.stringify(input.metrics),
            JSON.stringify(input.interval),
          ],
        );
        return toModelVersion(row!);
      });
    },

    get: (id) => findOne("WHERE id = $1", [id]),

    production: () => findOne("WHERE stage = 'PRODUCTION'", []),

    async list({ stage, first = 20, after } = {}) {
      if (stage !== undefined) assertStage(stage);
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw new ModelRegistryError(
          "INVALID_ARGUMENT",
          `first must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${first}`,
        );
      }
      const before = after == null ? null : decodeVersionCursor(after);
      const rows = await db.query<ModelVersionRow>(
        `SELECT ${MODEL_VERSION_COLUMNS} FROM model_versions
         WHERE ($1::text IS NULL OR stage = $1) AND ($2::integer IS NULL OR version < $2)
         ORDER BY version DESC LIMIT $3`,
        [stage ?? null, before, first + 1],
      );
      const edges = rows
        .slice(0, first)
        .map((row) => ({ node: toModelVersion(row), cursor: encodeVersionCursor(row.version) }));
      return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    promote: (id) =>
      changeStage(id, async (tx, current) => {
        if (current.stage === "PRODUCTION") return;
        await makeProduction(tx, id);
      }),

    promoteIf: (id, expectedProductionId) =>
      db.transaction(async (tx) => {
        await lockForWrite(tx);
        const version = await findOne("WHERE id = $1", [id], tx);
        if (!version) throw new ModelVersionNotFoundError(id);
        const current = await findOne("WHERE stage = 'PRODUCTION'", [], tx);
        if (version.stage === "PRODUCTION" || (current?.id ?? null) !== expectedProductionId) {
          return { promoted: false, version, current };
        }
        await makeProduction(tx, id);
        return {
          promoted: true,
          version: (await findOne("WHERE id = $1", [id], tx))!,
          current: current && (await findOne("WHERE id = $1", [current.id], tx)),
        };
      }),

    archive: (id) =>
      changeStage(id, async (tx, current) => {
        if (current.stage === "ARCHIVED") return;
        await tx.query("UPDATE model_versions SET stage = 'ARCHIVED', archived_at = now() WHERE id = $1", [id]);
      }),

    async storeArtifact(bytes) {
      if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
        throw new ModelRegistryError("INVALID_ARGUMENT", "an artifact must be a non-empty Uint8Array");
      }
      const sha256 = sha256Hex(bytes);
      await storeArtifact(db, sha256, bytes);
      return sha256;
    },

    async loadArtifact({ artifactSha256: sha256 }) {
      if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
        throw new ModelRegistryError(
          "INVALID_ARGUMENT",
          `sha256 must be 64 lowercase hex digits, got ${JSON.stringify(sha256)}`,
        );
      }
      const [row] = await db.query<{ bytes: Uint8Array }>("SELECT bytes FROM model_artifacts WHERE sha256 = $1", [
        sha256,
      ]);
      if (!row) throw new ModelRegistryError("ARTIFACT_NOT_FOUND", `The registry holds no artifact ${sha256}`);
      // pg returns a Buffer, PGlite (across its thread) a Uint8Array: hand out a plain view either way.
      const bytes = new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
      const actual = sha256Hex(bytes);
      if (actual !== sha256) {
        throw new ModelRegistryError(
          "ARTIFACT_CORRUPTED",
          `Artifact ${sha256} is corrupted: its ${bytes.byteLength} stored bytes hash to ${actual}`,
        );
      }
      return bytes;
    },
  };
}
