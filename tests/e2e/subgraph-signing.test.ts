import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { signIdentity, type SignedRequest } from "@pokewatch/kit";
import { TEST_DATABASE_URL, createIsolatedPostgres, testIdentity, type IsolatedPostgres } from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SUBGRAPHS_QUERY, TEST_ADMIN_KEY, postGraphQL, startTestStack } from "./stack-fixture.js";

const ROOT = join(import.meta.dirname, "../..");
const newSecret = () => randomBytes(32).toString("base64url");

// Pricing and keys with secrets of their own (keys halfway through a rotation), pipeline on the shared one.
const SECRETS = {
  shared: newSecret(),
  pricing: newSecret(),
  keysOld: newSecret(),
  keysNew: newSecret(),
};

/** The data ALL_SUBGRAPHS_QUERY answers with the admin key: one field from each subgraph. */
const ALL_SUBGRAPHS_DATA = {
  card: {
    id: "sv3pt5-6",
    name: "Charizard ex",
    rarity: "Double Rare",
    set: { name: "151", releaseDate: "2023-09-22" },
  },
  viewer: { authenticated: true, requestId: expect.any(String), key: { id: "key_admin" } },
  schedules: [{ cron: "0 3 * * *", timezone: "UTC", nextRunAt: expect.any(String), lastRun: null }],
};

const VIEWER_QUERY = JSON.stringify({ query: "{ viewer { authenticated scopes key { id } } }" });

/**
 * Posts the viewer query straight to a keys subgraph as an admin, signed with `secret` for the
 * request in `signedFor` (by default the one sent: keys, POST /graphql, this body) — what a
 * compromised subgraph holding `secret` could send.
 */
async function askKeysDirectly(keysGraphqlUrl: string, secret: string, signedFor: Partial<SignedRequest> = {}) {
  const identity = testIdentity({ keyId: "key_admin", scopes: ["keys:admin", "prices:read"], plan: "admin" });
  const request = { audience: "keys", method: "POST", path: "/graphql", body: VIEWER_QUERY, ...signedFor };
  const response = await fetch(keysGraphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...signIdentity(identity, secret, request) },
    body: VIEWER_QUERY,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every way a signature that is not keys' own is refused, and the previous secret still accepted. */
async function expectKeysSignatureChecks(keysGraphqlUrl: string) {
  const unauthenticated = { errors: [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }] };
  expect(await askKeysDirectly(keysGraphqlUrl, SECRETS.pricing)).toEqual({ status: 401, body: unauthenticated });
  expect((await askKeysDirectly(keysGraphqlUrl, SECRETS.shared)).status).toBe(401);
  expect((await askKeysDirectly(keysGraphqlUrl, SECRETS.keysNew, { audience: "pricing" })).status).toBe(401);
  expect((await askKeysDirectly(keysGraphqlUrl, SECRETS.keysNew, { method: "PUT" })).status).toBe(401);
  expect((await askKeysDirectly(keysGraphqlUrl, SECRETS.keysNew, { path: "/graphql?x=1" })).status).toBe(401);
  expect((await askKeysDirectly(keysGraphqlUrl, SECRETS.keysNew, { body: "{}" })).status).toBe(401);
  for (const secret of [SECRETS.keysNew, SECRETS.keysOld]) {
    expect(await askKeysDirectly(keysGraphqlUrl, secret)).toEqual({
      status: 200,
      body: {
        data: { viewer: { authenticated: true, scopes: ["keys:admin", "prices:read"], key: { id: "key_admin" } } },
      },
    });
  }
}

describe("signing in the one-process stack, with per-subgraph secrets and a rotation under way", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startTestStack({
      SUBGRAPH_SECRET: SECRETS.shared,
      SUBGRAPH_SECRET_PRICING: SECRETS.pricing,
      SUBGRAPH_SECRET_KEYS: SECRETS.keysNew,
      SUBGRAPH_SECRET_KEYS_PREVIOUS: SECRETS.keysOld,
    });
  });
  afterAll(() => stack?.close());

  it("answers a query through the gateway that needs all three subgraphs and the keys service", async () => {
    const { status, body } = await postGraphQL(stack.gatewayUrl, ALL_SUBGRAPHS_QUERY);
    expect(status).toBe(200);
    expect(body).toEqual({ data: ALL_SUBGRAPHS_DATA });
  });

  it("refuses at keys what pricing's or the shared secret signed, and any request other than the signed one", async () => {
    await expectKeysSignatureChecks(stack.subgraphUrls.keys);
  });
});

describe("signing between separate processes, each subgraph given only its own secret", () => {
  const children: ChildProcess[] = [];
  let postgres: IsolatedPostgres;
  let gatewayUrl: string;
  let keysUrl: string;
  let keysLog: () => string[];

  /** A service's real entry point as a child process, with only the variables given (no inherited secrets). */
  function startService(entry: string, env: Record<string, string>, readyLine: string) {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("SUBGRAPH_SECRET") && name !== "NODE_ENV"),
    );
    const proc = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: ROOT,
      env: { ...inherited, LOG_LEVEL: "info", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    children.push(proc);
    const lines: string[] = [];
    const up = new Promise<string>((resolve, reject) => {
      createInterface({ input: proc.stdout }).on("line", (line) => {
        lines.push(line);
        if (line.includes(readyLine)) resolve((JSON.parse(line) as { url: string }).url);
      });
      proc.on("exit", (code) =>
        reject(new Error(`${entry} exited with ${code} before it was up:\n${lines.join("\n")}`)),
      );
    });
    return { up, lines: () => lines };
  }

  beforeAll(async () => {
    postgres = await createIsolatedPostgres();
    const database = {
      DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${postgres.schema}`)}`,
    };
    const dataDir = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), "pw-signing-")) });
    const pricing = startService(
      "subgraphs/pricing/src/main.ts",
      { ...database, ...dataDir(), PRICING_PORT: "0", SUBGRAPH_SECRET_PRICING: SECRETS.pricing },
      "pricing subgraph listening",
    );
    const keys = startService(
      "subgraphs/keys/src/main.ts",
      {
        ...database,
        ...dataDir(),
        KEYS_PORT: "0",
        POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY,
        SUBGRAPH_SECRET_KEYS: SECRETS.keysNew,
        SUBGRAPH_SECRET_KEYS_PREVIOUS: SECRETS.keysOld,
      },
      "keys subgraph listening",
    );
    const pipeline = startService(
      "subgraphs/pipeline/src/main.ts",
      // No first model here: training is proven elsewhere (first-model-on-start.int.test.ts).
      {
        ...database,
        ...dataDir(),
        PIPELINE_PORT: "0",
        PIPELINE_TRAIN_ON_START: "false",
        SUBGRAPH_SECRET: SECRETS.shared,
      },
      "pipeline subgraph listening",
    );
    const [pricingUrl, keysGraphqlUrl, pipelineUrl] = await Promise.all([pricing.up, keys.up, pipeline.up]);
    keysUrl = keysGraphqlUrl;
    keysLog = keys.lines;
    const gateway = startService(
      "gateway/src/main.ts",
      {
        ...dataDir(),
        GATEWAY_PORT: "0",
        PRICING_URL: pricingUrl,
        KEYS_URL: keysGraphqlUrl,
        PIPELINE_URL: pipelineUrl,
        SUBGRAPH_SECRET: SECRETS.shared,
        SUBGRAPH_SECRET_PRICING: SECRETS.pricing,
        SUBGRAPH_SECRET_KEYS: SECRETS.keysNew,
      },
      "gateway listening",
    );
    gatewayUrl = await gateway.up;
  }, 120_000);

  afterAll(async () => {
    const exits = children.map(
      (child) => new Promise((resolve) => (child.exitCode === null ? child.on("close", resolve) : resolve(null))),
    );
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
    await postgres?.drop();
  }, 60_000);

  it("answers a query through the gateway that needs all three subgraphs and the keys service", async () => {
    const { status, body } = await postGraphQL(gatewayUrl, ALL_SUBGRAPHS_QUERY);
    expect(status).toBe(200);
    expect(body).toEqual({ data: ALL_SUBGRAPHS_DATA });
  });

  it("refuses at keys what pricing's or the shared secret signed, and any request other than the signed one", async () => {
    await expectKeysSignatureChecks(keysUrl);
  });

  it("says in the keys log that the previous secret is still accepted, never the secrets themselves", () => {
    const log = keysLog().join("\n");
    expect(log).toContain("accepting the previous subgraph secret besides the current one");
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
  });
});
