import type { ApiKeyRecord } from "../src/keys/api-key-store.js";

const when = (date: Date | null, none: string) => (date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : none);

/** A key as a few `label: value` lines; never the secret. */
export function describeKey(key: ApiKeyRecord): string {
  return [
    `id:         ${key.id}`,
    `name:       ${key.name}`,
    `key:        ${key.maskedKey}`,
    `scopes:     ${key.scopes.join(", ") || "(none)"}`,
    `status:     ${key.status}`,
    `rate limit: ${key.rateLimitPerMinute} requests/minute`,
    `expires:    ${when(key.expiresAt, "never")}`,
  ].join("\n");
}

const COLUMNS: Array<[string, (key: ApiKeyRecord) => string]> = [
  ["ID", (key) => key.id],
  ["NAME", (key) => key.name],
  ["KEY", (key) => key.maskedKey],
  ["SCOPES", (key) => key.scopes.join(",") || "-"],
  ["STATUS", (key) => key.status],
  ["RPM", (key) => String(key.rateLimitPerMinute)],
  ["CREATED", (key) => when(key.createdAt, "-")],
  ["EXPIRES", (key) => when(key.expiresAt, "never")],
  ["LAST USED", (key) => when(key.lastUsedAt, "never")],
];

/** Keys as an aligned text table, one line each; never secrets. */
export function keyTable(keys: readonly ApiKeyRecord[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...keys.map((key) => COLUMNS.map(([, cell]) => cell(key)))];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
