import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createSubgraphApp, listen } from "@pokewatch/kit";
import { TEST_DATABASE_URL, createIsolatedPostgres, silentLogger, type IsolatedPostgres } from "@pokewatch/kit/testing";
import type * as GraphQL from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_KEY, postGraphQL } from "./stack-fixture.js";

// graphql as Apollo Server loads it (CommonJS); vitest would hand this file the ESM build otherwise.
const { buildSchema } = createRequire(import.meta.url)("graphql") as typeof GraphQL;
const ROOT = join(import.meta.dirname, "../..");
const SECRET = randomBytes(32).toString("base64url");
const children: ChildProcess[] = [];

/** A service's real entry point as a child process (as a container runs it); resolves on `readyLine`. */
function startService(entry: string, env: Record<string, string>, readyLine: string) {
  const { NODE_ENV: _setByVitest, ...inherited } = process.env;
  const proc = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: "info", HOST: "127.0.0.1", SUBGRAPH_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(proc);
  const lines: string[] = [];
  const up = new Promise<{ url: string }>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      lines.push(line);
      if (line.includes(readyLine)) resolve(JSON.parse(line) as { url: string });
    });
    proc.on("exit", (code) => reject(new Error(`${entry} exited with ${code} before it was up:\n${lines.join("\n")}`)));
  });
  // "close", not "exit": the child's last stdout lines may still be unread when it exits.
  const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  const saw = (text: string) => lines.some((line) => line.includes(text));
  return { proc, up, exited, lines, saw };
}

/** GET on a connection of its own (no keep-alive pool): what a new client, or a load balancer's probe, gets. */
function getOnNewConnection(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** Pricing (and pipeline) stand-in: answers `card` only once the test lets it, to hold requests in flight. */
async function startHeldSubgraph() {
  const schema = buildSchema("type Card { id: ID!, name: String } type Query { card(id: ID!): Card }");
  let arrived = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  schema.getQueryType()!.getFields().card!.resolve = async (_source, args: { id: string }) => {
    arrived += 1;
    await released;
    return { id: args.id, name: "Charizard ex" };
  };
  const server = await listen(
    await createSubgraphApp({
      name: "pricing",
      schema,
      secret: SECRET,
      logger: silentLogger(),
      buildContext: (b) => b,
    }),
    { host: "127.0.0.1", port: 0 },
  );
  return { server, arrived: () => arrived, release };
}

let postgres: IsolatedPostgres;
let held: Awaited<ReturnType<typeof startHeldSubgraph>>;
beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  held = await startHeldSubgraph();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
  await held?.server.close();
  await postgres?.drop();
});

describe("SIGTERM under load", () => {
  it("goes unready, refuses new connections, finishes requests in flight, flushes key usage and exits 0", async () => {
    const keys = startService(
      "subgraphs/keys/src/main.ts",
      {
        KEYS_PORT: "0",
        DATA_DIR: mkdtempSync(join(tmpdir(), "pw-keys-")),
        DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${postgres.schema}`)}`,
        POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY,
      },
      "keys subgraph listening",
    );
    const keysUrl = (await keys.up).url;
    const gateway = startService(
      "gateway/src/main.ts",
      {
        GATEWAY_PORT: "0",
        PRICING_URL: `${held.server.url}/graphql`,
        PIPELINE_URL: `${held.server.url}/graphql`,
        KEYS_URL: keysUrl,
        // Only the shutdown flush can report usage in this test.
        KEY_USAGE_FLUSH_INTERVAL_MS: "3600000",
        // Long enough for the probe below to land inside it on a busy machine.
        SHUTDOWN_DELAY_MS: "5000",
        SHUTDOWN_DRAIN_TIMEOUT_MS: "30000",
      },
      "gateway listening",
    );
    const graphqlUrl = (await gateway.up).url;
    const origin = new URL(graphqlUrl).origin;
    const lastUsedAt = async () =>
      (
        await postgres.db.query<{ at: Date | null }>("SELECT last_used_at AS at FROM api_keys WHERE id = 'key_admin'")
      )[0]?.at;

    expect(await getOnNewConnection(`${origin}/ready`)).toBe(200);
    const inFlight = Array.from({ length: 5 }, () => postGraphQL(graphqlUrl, '{ card(id: "sv3pt5-6") { id name } }'));
    await expect.poll(held.arrived, { timeout: 20_000 }).toBe(5);
    expect(await lastUsedAt()).toBeNull();

    process.kill(gateway.proc.pid!, "SIGTERM");
    await expect.poll(() => gateway.saw("shutting down"), { timeout: 10_000 }).toBe(true);
    // During SHUTDOWN_DELAY_MS: still listening, but a load balancer's probe is told to go elsewhere.
    expect(await getOnNewConnection(`${origin}/ready`)).toBe(503);
    // Then the port closes.
    await expect.poll(() => getOnNewConnection(`${origin}/health`), { timeout: 20_000 }).toBe("ECONNREFUSED");

    held.release();
    for (const answer of await Promise.all(inFlight)) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { card: { id: "sv3pt5-6", name: "Charizard ex" } } });
    }
    expect(await gateway.exited).toBe(0);
    expect(gateway.saw("reported key usage before stopping")).toBe(true);
    expect(await lastUsedAt()).toBeInstanceOf(Date);

    process.kill(keys.proc.pid!, "SIGTERM");
    expect(await keys.exited).toBe(0);
  });
});
