import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  API_KEY_CHANGED_CHANNEL,
  createLogger,
  connectRedis,
  createRedis,
  decodeApiKeyChanged,
  isWellFormedApiKeySecret,
} from "@pokewatch/kit";
import {
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  SCRIPT_CONCURRENCY,
  createIsolatedPostgres,
  inParallel,
  runWorkspaceScript,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs `pnpm keys …` as typed in `dir`, with `env` added. */
const keys = (args: string[], env: Record<string, string>, dir: string) =>
  runWorkspaceScript("subgraphs/keys/scripts/keys-cli.ts", args, { typedIn: dir, env });

const SECRET = /^pw_(live|test)_[0-9A-Za-z]{38}$/m;
const secretIn = (stdout: string) => SECRET.exec(stdout)?.[0];
const idIn = (stdout: string) => /^id:\s+(key_\S+)$/m.exec(stdout)?.[1];

describe("pnpm keys", { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "keys-cli-"));
    env = { DATA_DIR: join(dir, "data") };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates, lists, rotates and revokes a key on the embedded database", async () => {
    const created = await keys(
      ["create", "--name", "price sync", "--scopes", "prices:read,pipeline:read", "--rate-limit", "120", "--test"],
      env,
      dir,
    );
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const secret = secretIn(created.stdout)!;
    const id = idIn(created.stdout)!;
    expect(secret).toMatch(/^pw_test_/);
    expect(isWellFormedApiKeySecret(secret)).toBe(true);
    expect(id).toMatch(/^key_/);
    expect(created.stdout).toContain(`pw_test_…${secret.slice(-4)}`);
    expect(created.stdout).toContain("prices:read, pipeline:read");
    expect(created.stdout.split(secret)).toHaveLength(2); // printed exactly once

    const listed = await keys(["list"], env, dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+KEY\s+SCOPES\s+STATUS/);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+price sync\\s+pw_test_…${secret.slice(-4)}.*ACTIVE\\s+120`));
    expect(listed.stdout).not.toContain(secret);

    const rotated = await keys(["rotate", id, "--grace", "0"], env, dir);
    expect(rotated.code).toBe(0);
    const newSecret = secretIn(rotated.stdout)!;
    expect(newSecret).not.toBe(secret);
    expect(idIn(rotated.stdout)).toBe(id);

    const revoked = await keys(["revoke", id], env, dir);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain("REVOKED");
    expect(revoked.stdout).not.toMatch(SECRET);

    const active = await keys(["list", "--status", "ACTIVE"], env, dir);
    expect(active.stdout).not.toContain(id);
    const gone = await keys(["list", "--status", "REVOKED"], env, dir);
    expect(gone.stdout).toContain(id);
  });

  it("prints a fresh well-formed secret without storing anything", async () => {
    const fresh = await keys(["secret"], { DATA_DIR: join(dir, "never-created") }, dir);
    expect(fresh.code).toBe(0);
    expect(isWellFormedApiKeySecret(fresh.stdout.trim())).toBe(true);
    expect(fresh.stdout.trim()).toMatch(/^pw_live_/);
  });

  it("exits 1 with a clear message for bad arguments and unknown ids", async () => {
    const cases: Array<[string[], string]> = [
      [[], "a command is required"],
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["create", "--scopes", "prices:read"], "--name is required"],
      [["create", "--name", "x"], "--scopes is required"],
      [["create", "--name", "x", "--scopes", "prices:write"], 'unknown scope "prices:write"'],
      [["create", "--name", "x", "--scopes", "prices:read", "--rpm", "0"], "--rpm must be a whole number"],
      [
        ["create", "--name", "x", "--scopes", "prices:read", "--rate-limit", "1.5"],
        "--rate-limit must be a whole number",
      ],
      [
        ["create", "--name", "x", "--scopes", "prices:read", "--rate-limit", "5", "--rpm", "5"],
        "give --rate-limit once",
      ],
      [
        ["create", "--name", "x", "--scopes", "prices:read", "--rate-limit", "100001"],
        "[BAD_USER_INPUT] rateLimitPerMinute",
      ],
      [
        ["create", "--name", "x\u001b]0;pwned\u0007", "--scopes", "prices:read"],
        "[BAD_USER_INPUT] name must not contain",
      ],
      [["create", "--name", "x", "--scopes", "prices:read", "--expires", "soon"], "--expires must be an ISO 8601"],
      [["list", "--status", "GONE"], "--status must be ACTIVE, REVOKED or EXPIRED"],
      [["revoke"], "exactly one key id"],
      [["rotate", "key_x", "--grace", "-5"], "--grace"],
      [["list", "--force"], "--force"],
    ];
    // Side by side, each with a DATA_DIR of its own (the store refusals open a database).
    const results = await inParallel(cases, SCRIPT_CONCURRENCY, ([args], index) =>
      keys(args, { ...env, DATA_DIR: join(dir, `refusal-${index}`) }, dir),
    );
    for (const [index, [args, message]] of cases.entries()) {
      const result = results[index]!;
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr, args.join(" ")).toContain(message);
      expect(result.stdout).toBe("");
    }
    const unknown = await keys(["revoke", "key_nope"], env, dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No API key with id "key_nope"');
  });
});

describe("pnpm keys on PostgreSQL and Redis", { timeout: 120_000 }, () => {
  let postgres: IsolatedPostgres;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    postgres = await createIsolatedPostgres();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${postgres.schema}`);
    dir = mkdtempSync(join(tmpdir(), "keys-cli-pg-"));
    env = { DATABASE_URL: url.toString(), REDIS_URL: TEST_REDIS_URL, DATA_DIR: join(dir, "unused") };
  });
  afterAll(async () => {
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores keys in DATABASE_URL and announces a revocation on Redis", async () => {
    const created = await keys(["create", "--name", "pg job", "--scopes", "pipeline:write"], env, dir);
    expect(created.code).toBe(0);
    const id = idIn(created.stdout)!;
    expect(await postgres.db.query("SELECT id, name, scopes FROM api_keys")).toEqual([
      { id, name: "pg job", scopes: ["pipeline:write"] },
    ]);

    const subscriber = createRedis({ url: TEST_REDIS_URL, logger: createLogger({ name: "test", level: "silent" }) });
    try {
      expect(await connectRedis(subscriber)).toBe(true);
      await subscriber.subscribe(API_KEY_CHANGED_CHANNEL);
      // Other tests running meanwhile announce their own keys on the same channel: wait for this one.
      const announced = new Promise<string | undefined>((resolve) =>
        subscriber.on("message", (_channel: string, message: string) => {
          if (decodeApiKeyChanged(message) === id) resolve(id);
        }),
      );
      const revoked = await keys(["revoke", id], env, dir);
      expect(revoked.code).toBe(0);
      expect(await announced).toBe(id);
    } finally {
      subscriber.disconnect();
    }
    const [row] = await postgres.db.query<{ revoked_at: Date | null }>("SELECT revoked_at FROM api_keys");
    expect(row?.revoked_at).toBeInstanceOf(Date);
  });
});
