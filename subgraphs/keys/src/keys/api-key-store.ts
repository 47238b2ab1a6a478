import {
  API_KEY_SCOPES,
  apiKeyLastFour,
  apiKeyPrefixOf,
  generateApiKeySecret,
  hashApiKeySecret,
  isWellFormedApiKeySecret,
  pokewatchError,
  type ApiKeyUsage,
  type Queryable,
  type VerifiedApiKey,
  CURSOR_CREATED_AT_SQL,
  decodeCreatedAtCursor,
  encodeCreatedAtCursor,
} from "@pokewatch/kit";
import { newApiKeyId } from "./api-key-id.js";
import {
  activeAt,
  PUBLIC_COLUMNS,
  STATUS_SQL,
  statusOf,
  toRecord,
  type ApiKeyRecord,
  type ApiKeyRow,
  type ApiKeyStatus,
} from "./api-key-record.js";
import { SECRET_COLUMNS, sameHash, verified, type SecretRow } from "./api-key-verify.js";
import {
  isValidRateLimit,
  MAX_RATE_LIMIT_PER_MINUTE,
  validateCreateApiKeyInput,
  type CreateApiKeyInput,
} from "./api-key-input.js";
import type { ApiKeyEvents } from "./key-events.js";

export type { CreateApiKeyInput } from "./api-key-input.js";
export type { ApiKeyEvents } from "./key-events.js";
export { statusOf, type ApiKeyRecord, type ApiKeyStatus } from "./api-key-record.js";

export interface ApiKeyPage {
  records: ApiKeyRecord[];
  /** One per record, in the same order: where a page after that record starts. */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ApiKeyStore {
  /** Requests per minute of a key created without its own limit (RATE_LIMIT_RPM). */
  readonly defaultRateLimitPerMinute: number;
  findById(id: string): Promise<ApiKeyRecord | null>;
  /** Newest first. `first` 1 to 100 (default 20); `after` an `endCursor`; else BAD_USER_INPUT. */
  list(options: { first?: number; after?: string | null; status?: ApiKeyStatus | null }): Promise<ApiKeyPage>;
  /** The secret is returned here only; just its hash is stored. */
  create(input: CreateApiKeyInput): Promise<{ record: ApiKeyRecord; secret: string }>;
  /** Null for an unknown id. Revoking twice keeps the first `revokedAt`. */
  revoke(id: string): Promise<ApiKeyRecord | null>;
  /** Null for an unknown id; BAD_USER_INPUT for a revoked or expired key or a bad grace period. */
  rotate(id: string, gracePeriodSeconds: number): Promise<{ record: ApiKeyRecord; secret: string } | null>;
  /** Null for unknown, revoked and expired keys, and for a rotated-out secret past its grace period. */
  verify(secretHash: Buffer): Promise<VerifiedApiKey | null>;
  /** Keeps each key's latest use, in one statement. */
  recordUsage(usages: ApiKeyUsage[]): Promise<void>;
  /** Makes `key_admin` an active key with every scope, the admin rate and exactly this secret. */
  ensureAdminKey(secret: string): Promise<ApiKeyRecord>;
  count(): Promise<number>;
}

export interface ApiKeyStoreOptions {
  /** @default () => new Date() */
  clock?: () => Date;
  /** @default announces nothing */
  events?: ApiKeyEvents;
  /** Requests per minute of keys created without their own limit. @default 60 */
  defaultRateLimitPerMinute?: number;
  /** Requests per minute of `key_admin` (ADMIN_RATE_LIMIT_RPM). @default MAX_RATE_LIMIT_PER_MINUTE */
  adminRateLimitPerMinute?: number;
}

export const ADMIN_KEY_ID = "key_admin";
export const ADMIN_KEY_NAME = "admin (POKEWATCH_ADMIN_KEY)";
export const DEFAULT_KEYS_PER_PAGE = 20;
export const MAX_KEYS_PER_PAGE = 100;
/** Longest rotation grace period: 7 days. */
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 60 * 60;

function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_KEYS_PER_PAGE;
  if (Number.isInteger(first) && first >= 1 && first <= MAX_KEYS_PER_PAGE) return first;
  throw pokewatchError("BAD_USER_INPUT", `first must be from 1 to ${MAX_KEYS_PER_PAGE}; got ${first}`, {
    extensions: { argument: "first" },
  });
}

function assertGracePeriod(seconds: number): void {
  if (Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_GRACE_PERIOD_SECONDS) return;
  throw pokewatchError(
    "BAD_USER_INPUT",
    `gracePeriodSeconds must be a whole number from 0 to ${MAX_GRACE_PERIOD_SECONDS} (7 days); got ${seconds}`,
    { extensions: { argument: "gracePeriodSeconds" } },
  );
}

/** What is stored of a secret: prefix, last four and SHA-256, never the secret itself. */
const secretParts = (secret: string): [string, string, Buffer] => [
  apiKeyPrefixOf(secret),
  apiKeyLastFour(secret),
  hashApiKeySecret(secret),
];

export function createApiKeyStore(db: Queryable, options: ApiKeyStoreOptions = {}): ApiKeyStore {
  const {
    clock = () => new Date(),
    events,
    defaultRateLimitPerMinute = 60,
    adminRateLimitPerMinute = MAX_RATE_LIMIT_PER_MINUTE,
  } = options;
  for (const [name, value] of Object.entries({ defaultRateLimitPerMinute, adminRateLimitPerMinute })) {
    if (!isValidRateLimit(value)) {
      throw new Error(`${name} must be a whole number from 1 to ${MAX_RATE_LIMIT_PER_MINUTE}; got ${value}`);
    }
  }
  const findRow = async (id: string) =>
    (await db.query<ApiKeyRow>(`SELECT ${PUBLIC_COLUMNS} FROM api_keys WHERE id = $1`, [id]))[0];

  return {
    defaultRateLimitPerMinute,

    async findById(id) {
      const row = await findRow(id);
      return row ? toRecord(row, clock()) : null;
    },

    async list({ first, after, status }) {
      const limit = pageSize(first);
      const now = clock();
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      const where: string[] = [];
      if (status !== undefined && status !== null) {
        const condition = STATUS_SQL[status];
        if (!condition) {
          throw pokewatchError("BAD_USER_INPUT", `status must be ACTIVE, REVOKED or EXPIRED; got ${String(status)}`, {
            extensions: { argument: "status" },
          });
        }
        where.push(condition(`${param(now)}::timestamptz`));
      }
      if (after !== undefined && after !== null) {
        const cursor = decodeCreatedAtCursor(after, "apiKeys");
        where.push(`(created_at, id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)}::text)`);
      }
      const rows = await db.query<ApiKeyRow & { cursor_at: string }>(
        `SELECT ${PUBLIC_COLUMNS}, ${CURSOR_CREATED_AT_SQL} AS cursor_at FROM api_keys
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
        params,
      );
      const page = rows.slice(0, limit);
      const cursors = page.map((row) => encodeCreatedAtCursor({ createdAt: row.cursor_at, id: row.id }));
      return {
        records: page.map((row) => toRecord(row, now)),
        cursors,
        hasNextPage: rows.length > limit,
        endCursor: cursors.at(-1) ?? null,
      };
    },

    async create(input) {
      const now = clock();
      const valid = validateCreateApiKeyInput(input, { now, defaultRateLimitPerMinute });
      const secret = generateApiKeySecret(valid.environment);
      const [row] = await db.query<ApiKeyRow>(
        `INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, rate_limit_per_minute, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${PUBLIC_COLUMNS}`,
        [
          newApiKeyId(),
          valid.name,
          ...secretParts(secret),
          valid.scopes,
          valid.rateLimitPerMinute,
          now,
          valid.expiresAt,
        ],
      );
      return { record: toRecord(row!, now), secret };
    },

    async revoke(id) {
      const now = clock();
      const [row] = await db.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${PUBLIC_COLUMNS}`,
        [id, now],
      );
      if (!row) return null;
      await events?.keyChanged(id);
      return toRecord(row, now);
    },

    async rotate(id, gracePeriodSeconds) {
      assertGracePeriod(gracePeriodSeconds);
      const now = clock();
      const existing = await findRow(id);
      if (!existing) return null;
      const refuse = (state: string) =>
        pokewatchError("BAD_USER_INPUT", `Cannot rotate ${id}: it is ${state}`, { extensions: { argument: "id" } });
      if (statusOf(existing, now) !== "ACTIVE") throw refuse(statusOf(existing, now));
      const secret = generateApiKeySecret(existing.prefix === "pw_test_" ? "test" : "live");
      const graceEnd = gracePeriodSeconds > 0 ? new Date(now.getTime() + gracePeriodSeconds * 1000) : null;
      // One statement: the old hash moves aside as the new one lands, or nothing changes.
      const [row] = await db.query<ApiKeyRow>(
        `UPDATE api_keys SET prefix = $2, last_four = $3, secret_hash = $4,
           previous_secret_hash = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE secret_hash END,
           previous_secret_valid_until = $5::timestamptz
         WHERE id = $1 AND ${activeAt("$6")} RETURNING ${PUBLIC_COLUMNS}`,
        [id, ...secretParts(secret), graceEnd, now],
      );
      if (!row) throw refuse("no longer active");
      await events?.keyChanged(id);
      return { record: toRecord(row, now), secret };
    },

    async verify(secretHash) {
      const rows = await db.query<SecretRow>(
        `SELECT ${SECRET_COLUMNS} FROM api_keys WHERE secret_hash = $1 OR previous_secret_hash = $1`,
        [secretHash],
      );
      const now = clock();
      for (const row of rows) {
        const key = verified(row, secretHash, now);
        if (key) return key;
      }
      return null;
    },

    async recordUsage(usages) {
      const valid = usages.filter((usage) => !Number.isNaN(Date.parse(usage.at)));
      if (valid.length === 0) return;
      await db.query(
        `UPDATE api_keys AS k SET last_used_at = GREATEST(k.last_used_at, u.at)
         FROM (SELECT id, max(at) AS at FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at) GROUP BY id) AS u
         WHERE k.id = u.id`,
        [valid.map((usage) => usage.keyId), valid.map((usage) => usage.at)],
      );
    },

    async ensureAdminKey(secret) {
      if (!isWellFormedApiKeySecret(secret)) {
        throw new Error(
          "POKEWATCH_ADMIN_KEY must be a well-formed PokeWatch key; generate one with `pnpm keys secret`",
        );
      }
      const now = clock();
      const [prefix, lastFour, hash] = secretParts(secret);
      const [before] = await db.query<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM api_keys WHERE id = $1`, [
        ADMIN_KEY_ID,
      ]);
      const [row] = await db.query<ApiKeyRow>(
        `INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, rate_limit_per_minute, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, prefix = EXCLUDED.prefix,
           last_four = EXCLUDED.last_four, secret_hash = EXCLUDED.secret_hash, scopes = EXCLUDED.scopes,
           rate_limit_per_minute = EXCLUDED.rate_limit_per_minute, revoked_at = NULL, expires_at = NULL, previous_secret_hash = NULL, previous_secret_valid_until = NULL
         RETURNING ${PUBLIC_COLUMNS}`,
        [ADMIN_KEY_ID, ADMIN_KEY_NAME, prefix, lastFour, hash, [...API_KEY_SCOPES], adminRateLimitPerMinute, now],
      );
      const changed =
        before !== undefined &&
        (!sameHash(before.secret_hash, hash) ||
          before.previous_secret_hash !== null ||
          before.revoked_at !== null ||
          before.expires_at !== null ||
          before.rate_limit_per_minute !== adminRateLimitPerMinute ||
          before.scopes.join() !== API_KEY_SCOPES.join());
      // Gateways may still hold the key as it was (another secret, revoked): they must drop it.
      if (changed) await events?.keyChanged(ADMIN_KEY_ID);
      return toRecord(row!, now);
    },

    async count() {
      const [row] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM api_keys");
      return row!.count;
    },
  };
}
