import type { ApiKeyRecord } from "../src/keys/api-key-store.js";

/**
 * Text from the database as the terminal should show it: control, bidirectional and line-separator
 * characters (names stored before they were refused, or written straight to the table) appear as
 * `\\u{…}` escapes, never as themselves, so no stored text can move the cursor or fake a row.
 */
export function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu,
    (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`,
  );
}

const when = (date: Date | null, none: string) => (date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : none);

/** A key as a few `label: value` lines; never the secret. */
export function describeKey(key: ApiKeyRecord): string {
  return [
    `id:         ${printable(key.id)}`,
    `name:       ${printable(key.name)}`,
    `key:        ${printable(key.maskedKey)}`,
    `scopes:     ${printable(key.scopes.join(", ")) || "(none)"}`,
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
  const rows = [COLUMNS.map(([title]) => title), ...keys.map((key) => COLUMNS.map(([, cell]) => printable(cell(key))))];
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
