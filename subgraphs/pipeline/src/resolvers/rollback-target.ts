import type { Queryable } from "@pokewatch/kit";

/**
 * The id of the production version the current one replaced: the former production version
 * archived most recently. The registry's `ModelVersion` does not carry `archived_at`, and the
 * highest archived version is not always it (after a rollback or a promotion by hand), so this
 * reads the registry's table, which lives in the same database.
 */
export async function findRollbackTarget(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(
    `SELECT id FROM model_versions
     WHERE stage = 'ARCHIVED' AND promoted_at IS NOT NULL
     ORDER BY archived_at DESC, version DESC LIMIT 1`,
  );
  return row?.id ?? null;
}
