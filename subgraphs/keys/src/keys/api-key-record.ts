// How keys are read from `api_keys` for clients, and when each counts as active.

export type ApiKeyStatus = "ACTIVE" | "REVOKED" | "EXPIRED";

/** An API key as clients may see it: never the secret or its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  maskedKey: string;
  scopes: string[];
  status: ApiKeyStatus;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  rateLimitPerMinute: number;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  last_four: string;
  scopes: string[];
  rate_limit_per_minute: number;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export const PUBLIC_COLUMNS =
  "id, name, prefix, last_four, scopes, rate_limit_per_minute, created_at, expires_at, revoked_at, last_used_at";

/** SQL for "neither revoked nor expired at `now`" (a placeholder), as `statusOf` decides it. */
export const activeAt = (now: string) =>
  `(revoked_at IS NULL OR revoked_at > ${now}) AND (expires_at IS NULL OR expires_at > ${now})`;
export const STATUS_SQL: Record<ApiKeyStatus, (now: string) => string> = {
  ACTIVE: activeAt,
  REVOKED: (now) => `revoked_at <= ${now}`,
  EXPIRED: (now) => `(revoked_at IS NULL OR revoked_at > ${now}) AND expires_at <= ${now}`,
};

export function statusOf(row: Pick<ApiKeyRow, "expires_at" | "revoked_at">, now: Date): ApiKeyStatus {
  if (row.revoked_at && row.revoked_at <= now) return "REVOKED";
  if (row.expires_at && row.expires_at <= now) return "EXPIRED";
  return "ACTIVE";
}

export function toRecord(row: ApiKeyRow, now: Date): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    maskedKey: `${row.prefix}…${row.last_four}`,
    scopes: row.scopes,
    status: statusOf(row, now),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rateLimitPerMinute: row.rate_limit_per_minute,
  };
}
