/**
 * `pnpm keys`: manages API keys straight in the keys database, for operators (no key needed).
 *
 *   pnpm keys create --name NAME --scopes a,b [--rate-limit N] [--expires ISO] [--test]
 *   pnpm keys list [--status ACTIVE|REVOKED|EXPIRED]
 *   pnpm keys revoke ID
 *   pnpm keys rotate ID [--grace SECONDS]
 *   pnpm keys secret [--test]
 *
 * Works on DATABASE_URL when set, else on the embedded database in DATA_DIR (default .pokewatch/).
 * With REDIS_URL, revocations and rotations reach every gateway at once. Secrets are printed only
 * by `create`, `rotate` and `secret`, once. Exit code 0 on success, 1 on any error.
 */
import { parseArgs } from "node:util";
import { API_KEY_SCOPES, generateApiKeySecret, isApiKeyScope } from "@pokewatch/kit";
import { GraphQLError } from "graphql";
import type { ApiKeyPage, ApiKeyRecord, ApiKeyStatus } from "../src/keys/api-key-store.js";
import { describeKey, keyTable } from "./format-keys.js";
import { openKeyStore, type OpenedKeyStore } from "./open-key-store.js";

const USAGE = `usage:
  pnpm keys create --name NAME --scopes a,b [--rate-limit N] [--expires ISO] [--test]
  pnpm keys list [--status ACTIVE|REVOKED|EXPIRED]
  pnpm keys revoke ID
  pnpm keys rotate ID [--grace SECONDS]
  pnpm keys secret [--test]
scopes: ${API_KEY_SCOPES.join(", ")}`;

class UsageError extends Error {}

const OPTIONS = {
  name: { type: "string" },
  scopes: { type: "string" },
  "rate-limit": { type: "string" },
  /** The earlier name of --rate-limit, still accepted. */
  rpm: { type: "string" },
  expires: { type: "string" },
  test: { type: "boolean" },
  status: { type: "string" },
  grace: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new UsageError(`--${flag} must be a whole number ≥ ${min}; got "${text}"`);
  return Number(text);
}

function onlyFlags(command: string, values: Values, allowed: Array<keyof Values>): void {
  const extra = Object.keys(values).find((flag) => !allowed.includes(flag as keyof Values));
  if (extra) throw new UsageError(`keys ${command} does not take --${extra}`);
}

function oneId(command: string, positionals: string[]): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw new UsageError(`keys ${command} takes exactly one key id, e.g. key_…`);
  return id;
}

/** Requests per minute from --rate-limit (or its earlier name --rpm), never both. */
function rateLimit(values: Values): number | undefined {
  if (values["rate-limit"] !== undefined && values.rpm !== undefined) {
    throw new UsageError("give --rate-limit once (--rpm is its earlier name)");
  }
  return values.rpm !== undefined
    ? wholeNumber("rpm", values.rpm, 1)
    : wholeNumber("rate-limit", values["rate-limit"], 1);
}

function createInput(values: Values) {
  const name = values.name?.trim();
  if (!name) throw new UsageError("--name is required and must not be blank");
  const scopes = (values.scopes ?? "")
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
  if (scopes.length === 0)
    throw new UsageError(`--scopes is required: a comma-separated list of ${API_KEY_SCOPES.join(", ")}`);
  const unknown = scopes.find((scope) => !isApiKeyScope(scope));
  if (unknown) throw new UsageError(`unknown scope "${unknown}"; scopes are ${API_KEY_SCOPES.join(", ")}`);
  let expiresAt: Date | null = null;
  if (values.expires !== undefined) {
    expiresAt = new Date(values.expires);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.expires) || Number.isNaN(expiresAt.getTime())) {
      throw new UsageError(
        `--expires must be an ISO 8601 date or instant, e.g. 2027-01-31T00:00:00Z; got "${values.expires}"`,
      );
    }
  }
  return {
    name,
    scopes,
    expiresAt,
    rateLimitPerMinute: rateLimit(values) ?? null,
    environment: values.test ? ("test" as const) : ("live" as const),
  };
}

function showSecret(key: ApiKeyRecord, secret: string, headline: string): void {
  out(`${headline}\n${describeKey(key)}\n\nSecret (shown only this once; store it now):\n${secret}`);
}

async function listAll(store: OpenedKeyStore["store"], status: ApiKeyStatus | null): Promise<ApiKeyRecord[]> {
  const keys: ApiKeyRecord[] = [];
  for (let after: string | null = null; ;) {
    const page: ApiKeyPage = await store.list({ first: 100, after, status });
    keys.push(...page.records);
    if (!page.hasNextPage || page.endCursor === null) return keys;
    after = page.endCursor;
  }
}

async function run(command: string, values: Values, positionals: string[], opened: OpenedKeyStore): Promise<void> {
  const { store } = opened;
  switch (command) {
    case "create": {
      const { record, secret } = await store.create(createInput(values));
      return showSecret(record, secret, `Created ${record.id} in ${opened.database}.`);
    }
    case "list": {
      const keys = await listAll(store, (values.status as ApiKeyStatus | undefined) ?? null);
      return out(
        keys.length ? keyTable(keys) : "No API keys yet. Create one with: pnpm keys create --name N --scopes a,b",
      );
    }
    case "revoke": {
      const id = oneId(command, positionals);
      const record = await store.revoke(id);
      if (!record) throw new Error(`No API key with id "${id}"`);
      return out(`Revoked ${record.id} (${record.maskedKey}).\n${describeKey(record)}`);
    }
    case "rotate": {
      const id = oneId(command, positionals);
      const grace = wholeNumber("grace", values.grace, 0) ?? 3600;
      const rotated = await store.rotate(id, grace);
      if (!rotated) throw new Error(`No API key with id "${id}"`);
      return showSecret(rotated.record, rotated.secret, `Rotated ${id}; the old secret keeps working for ${grace} s.`);
    }
  }
}

/** Checks everything that needs no database, so a typo never opens (or creates) one. */
function checkArgs(command: string | undefined, values: Values, positionals: string[]): string {
  switch (command) {
    case "create":
      onlyFlags(command, values, ["name", "scopes", "rate-limit", "rpm", "expires", "test"]);
      if (positionals.length)
        throw new UsageError(`keys create takes no positional arguments; got "${positionals[0]}"`);
      createInput(values);
      return command;
    case "list":
      onlyFlags(command, values, ["status"]);
      if (values.status !== undefined && !["ACTIVE", "REVOKED", "EXPIRED"].includes(values.status)) {
        throw new UsageError(`--status must be ACTIVE, REVOKED or EXPIRED; got "${values.status}"`);
      }
      return command;
    case "revoke":
      onlyFlags(command, values, []);
      oneId(command, positionals);
      return command;
    case "rotate":
      onlyFlags(command, values, ["grace"]);
      oneId(command, positionals);
      wholeNumber("grace", values.grace, 0);
      return command;
    case "secret":
      onlyFlags(command, values, ["test"]);
      return command;
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
  }
}

async function main(): Promise<void> {
  let parsed: { values: Values; positionals: string[] };
  try {
    // `pnpm keys -- list` passes the `--` along; parseArgs would take it for the end of options.
    const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--"));
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [name, ...positionals] = parsed.positionals;
  const command = checkArgs(name, parsed.values, positionals);
  if (command === "secret") {
    out(generateApiKeySecret(parsed.values.test ? "test" : "live"));
    return;
  }
  const opened = await openKeyStore();
  try {
    await run(command, parsed.values, positionals, opened);
  } finally {
    await opened.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`keys: ${error.message}\n${USAGE}\n`);
  else if (error instanceof GraphQLError)
    process.stderr.write(`keys: [${String(error.extensions.code)}] ${error.message}\n`);
  else process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
