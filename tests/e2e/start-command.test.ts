import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { TEST_DATABASE_URL, TEST_REDIS_URL, createIsolatedPostgres } from "@pokewatch/kit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { ALL_SUBGRAPHS_QUERY, TEST_ADMIN_KEY, postGraphQL } from "./stack-fixture.js";

const ROOT = join(import.meta.dirname, "../..");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
});

/** What a terminal's Ctrl-C does: SIGINT to the whole foreground process group. */
function pressCtrlC(proc: ChildProcess) {
  process.kill(-proc.pid!, "SIGINT");
}

/**
 * Runs what `pnpm start` runs (`tsx stack/src/main.ts`), on free ports, in its own process group as
 * a terminal would, without vitest's NODE_ENV=test; waits for its "is up" line.
 */
function startProcess(env: Record<string, string>) {
  const { NODE_ENV: _setByVitest, ...inherited } = process.env;
  const ports = { GATEWAY_PORT: "0", PRICING_PORT: "0", KEYS_PORT: "0", PIPELINE_PORT: "0" };
  const proc = spawn(process.execPath, ["--import", "tsx", "stack/src/main.ts"], {
    cwd: ROOT,
    // Training a first model on start has its own test (first-model.test.ts).
    env: { ...inherited, LOG_LEVEL: "info", PIPELINE_TRAIN_ON_START: "false", ...ports, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(proc);
  const lines: string[] = [];
  const up = new Promise<{ gateway: string }>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      lines.push(line);
      if (line.includes("PokeWatch is up")) resolve(JSON.parse(line) as { gateway: string });
    });
    proc.on("exit", (code) => reject(new Error(`exited with ${code} before it was up:\n${lines.join("\n")}`)));
  });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, up, exited, lines };
}

describe("pnpm start", () => {
  it("comes up on embedded defaults, answers through the gateway, and stops cleanly on Ctrl-C", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pokewatch-start-"));
    const started = startProcess({ DATA_DIR: dataDir });
    const { gateway } = await started.up;
    // No key existed: the first start wrote an admin key for its owner only, and logged where.
    const keyFile = join(dataDir, "admin-key");
    const adminKey = readFileSync(keyFile, "utf8").trim();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(started.lines.some((line) => line.includes(keyFile))).toBe(true);
    expect(started.lines.some((line) => line.includes(adminKey))).toBe(false);

    expect((await postGraphQL(gateway, ALL_SUBGRAPHS_QUERY, {}, { anonymous: true })).status).toBe(401);
    const { body } = await postGraphQL(gateway, ALL_SUBGRAPHS_QUERY, { "x-api-key": adminKey });
    expect(body.data?.card).toMatchObject({ name: "Charizard ex" });

    pressCtrlC(started.proc);
    expect(await started.exited).toBe(0);
    expect(started.lines.some((line) => line.includes("shutting down"))).toBe(true);
    expect(started.lines.at(-1)).toContain("stopped cleanly");
  });

  it("uses PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set", async () => {
    const postgres = await createIsolatedPostgres();
    try {
      const url = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${postgres.schema}`)}`;
      const started = startProcess({
        DATABASE_URL: url,
        REDIS_URL: TEST_REDIS_URL,
        DATA_DIR: mkdtempSync(join(tmpdir(), "pw-")),
        POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY,
      });
      const up = (await started.up) as { gateway: string; database: string; redis: boolean };
      expect(up).toMatchObject({ database: "postgres", redis: true });
      const { body } = await postGraphQL(up.gateway, ALL_SUBGRAPHS_QUERY);
      expect(body.errors).toBeUndefined();
      const tables = await postgres.db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [postgres.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        "api_keys",
        "model_artifacts",
        "model_versions",
        "pipeline_artifacts",
        "pipeline_runs",
        "pipeline_step_output_parts",
        "pipeline_step_outputs",
        "pipeline_steps",
        "price_collections",
        "price_points",
        "schema_migrations",
      ]);
      pressCtrlC(started.proc);
      expect(await started.exited).toBe(0);
    } finally {
      await postgres.drop();
    }
  });

  it("refuses bad configuration, naming every bad variable, and exits 1", async () => {
    const started = startProcess({ GATEWAY_PORT: "99999", PIPELINE_CRON: "nope", DATABASE_URL: "mysql://x" });
    const outcome = started.up.catch((error: Error) => error);
    let stderr = "";
    started.proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await started.exited).toBe(1);
    expect(stderr).toMatch(/GATEWAY_PORT/);
    expect(stderr).toMatch(/PIPELINE_CRON/);
    expect(stderr).toMatch(/DATABASE_URL/);
    expect(stderr).not.toContain("mysql://x");
    expect(await outcome).toBeInstanceOf(Error);
  });
});
