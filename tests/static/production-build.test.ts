import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDist, entryOf, SERVICES } from "../../ops/build/build-dist.js";

// The build ops/Dockerfile runs, here without Docker: compiled JavaScript plus `pnpm deploy --prod`,
// started with plain `node` (no tsx) far enough to answer its probes.
const out = mkdtempSync(join(tmpdir(), "pokewatch-dist-"));
const children: ChildProcess[] = [];
let app: string;

// tsc and four `pnpm deploy --offline` runs: ~20 s alone, more beside the rest of the unit suite.
beforeAll(() => {
  app = buildDist(out);
}, 90_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(out, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Files under `dir` (not following node_modules unless asked), relative to it. */
function filesUnder(dir: string, withModules = false): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((file) => withModules || !file.split("/").includes("node_modules"));
}

function startCompiled(service: keyof typeof SERVICES, env: Record<string, string>) {
  const { NODE_OPTIONS: _, NODE_ENV: __, ...inherited } = process.env;
  const child = spawn(process.execPath, [entryOf(service)], {
    cwd: app,
    env: { ...inherited, NODE_ENV: "production", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  children.push(child);
  return { child, stderr: () => stderr };
}

async function waitFor(url: string, started: ReturnType<typeof startCompiled>, deadlineMs = 40_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (started.child.exitCode !== null) throw new Error(`exited with ${started.child.exitCode}: ${started.stderr()}`);
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return (await response.json()) as { status: string; service: string };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer in time: ${started.stderr()}`);
}

describe("the production build (ops/build/build-dist.ts)", () => {
  it("ships JavaScript only, with the worker entries and data files where the code looks for them", () => {
    const shipped = filesUnder(app);
    expect(shipped.filter((file) => file.endsWith(".ts"))).toEqual([]);
    expect(shipped.filter((file) => file.endsWith(".test.js"))).toEqual([]);
    for (const file of [
      "gateway/src/main.js",
      "schema/supergraph.graphql",
      "schema/supergraph.docker.graphql",
      "healthcheck.mjs",
      "subgraphs/pricing/schema.graphql",
      "subgraphs/keys/src/migrations/001-create-api-keys.sql",
      "subgraphs/pipeline/src/pipeline/worker/compute.worker.js",
      "subgraphs/pipeline/node_modules/@pokewatch/market/data/catalog.json",
      "subgraphs/pipeline/node_modules/@pokewatch/market/migrations/001-create-price-points.sql",
      "subgraphs/pipeline/node_modules/@pokewatch/model/migrations/001-create-model-versions.sql",
      "subgraphs/keys/node_modules/@pokewatch/kit/src/db/pglite.worker.js",
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
  });

  it("installs production dependencies only", () => {
    for (const path of Object.values(SERVICES)) {
      const modules = readdirSync(join(app, path, "node_modules/.pnpm"));
      for (const dev of ["typescript@", "tsx@", "vitest@", "eslint@", "prettier@"]) {
        expect(
          modules.filter((name) => name.startsWith(dev)),
          `${path}: ${dev}`,
        ).toEqual([]);
      }
    }
  });

  it("starts the compiled gateway and keys subgraph (PGlite worker included) with plain node", async () => {
    const secret = "s".repeat(40);
    const [gatewayPort, keysPort] = [await freePort(), await freePort()];
    const keys = startCompiled("keys", {
      KEYS_PORT: String(keysPort),
      SUBGRAPH_SECRET: secret,
      DATA_DIR: join(out, "data"),
      METRICS_PORT: "0",
    });
    const gateway = startCompiled("gateway", {
      GATEWAY_PORT: String(gatewayPort),
      SUBGRAPH_SECRET: secret,
      CORS_ORIGINS: "none",
      SUPERGRAPH_PATH: "schema/supergraph.graphql",
      METRICS_PORT: "0",
    });
    expect(await waitFor(`http://127.0.0.1:${gatewayPort}/health`, gateway)).toMatchObject({
      status: "ok",
      service: "gateway",
    });
    // The image's HEALTHCHECK script, against the running gateway and against a port nobody serves.
    const healthcheck = (port: number) =>
      spawnSync(process.execPath, [join(app, "healthcheck.mjs"), "/health"], { env: { GATEWAY_PORT: String(port) } })
        .status;
    expect(healthcheck(gatewayPort)).toBe(0);
    expect(healthcheck(await freePort())).toBe(1);
    // Ready only once PGlite (a worker thread started from the compiled pglite.worker.js) has migrated.
    expect(await waitFor(`http://127.0.0.1:${keysPort}/ready`, keys)).toMatchObject({ service: "keys" });
  }, 60_000);
});
