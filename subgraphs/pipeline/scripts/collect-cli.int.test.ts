import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRIPT_CONCURRENCY, inParallel, runWorkspaceScript } from "@pokewatch/kit/testing";
import { loadBundledCatalog } from "@pokewatch/market";
import { fakePokemonTcgHandler, startFakeProviderServer, type FakeProviderServer } from "@pokewatch/market/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs `pnpm data:collect …` as typed in `dir`, with `env` added. */
const collect = (args: string[], env: Record<string, string>, dir: string) =>
  runWorkspaceScript("subgraphs/pipeline/scripts/collect-cli.ts", args, { typedIn: dir, env, timeoutMs: 120_000 });

const catalog = loadBundledCatalog();
const SETS = ["me2", "sv6pt5"];

describe("pnpm data:collect on the embedded database", { timeout: 180_000 }, () => {
  let dir: string;
  let server: FakeProviderServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "collect-cli-"));
    server = await startFakeProviderServer(
      fakePokemonTcgHandler({ catalog, updatedAt: "2026/11/27", trouble: { sv6pt5: { kind: "down", status: 503 } } }),
    );
    env = { DATA_DIR: join(dir, "data"), PRICE_SOURCE: "auto", POKEMONTCG_API_URL: `${server.url}/v2` };
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("collects the sets asked for, printing each, and exits 2 when one failed", async () => {
    const { code, stdout, stderr } = await collect(["--sets", SETS.join(",")], env, dir);
    expect(code, stderr).toBe(2);
    const me2 = catalog.cards("me2").length;
    expect(stderr).toContain(`  pokemontcg.io me2: ${me2} prices (${me2} new, 0 changed)`);
    expect(stderr).toMatch(/^ {2}pokemontcg\.io sv6pt5: failed \(UPSTREAM, HTTP 503\)$/m);
    const summary = JSON.parse(stdout) as { providers: { collected: { scope: string }[] }[]; message: string };
    expect(summary.providers[0]!.collected.map((c) => c.scope)).toEqual(["me2"]);
    expect(summary.message).toContain("failed: sv6pt5 (UPSTREAM, HTTP 503)");
  });

  it("asks only for what failed when run again the same day", async () => {
    const before = server.requests.length;
    const { code, stdout } = await collect(["--", "--sets", SETS.join(",")], env, dir);
    expect(code).toBe(2);
    expect(new Set(server.requests.slice(before).map((r) => r.query.get("q")))).toEqual(new Set(["set.id:sv6pt5"]));
    expect((JSON.parse(stdout) as { message: string }).message).toContain("1 already collected that day");

    const again = server.requests.length;
    const done = await collect(["--sets", "me2"], env, dir);
    expect(done.code, done.stderr).toBe(0);
    expect(server.requests.length).toBe(again);
  });

  it("exits 1 with the usage for bad arguments", async () => {
    const cases: Array<[string[], string]> = [
      [["--sets", "nope9"], "unknown set ids (not in the catalog): nope9"],
      [["--sets", "a b"], "--sets must be catalog set ids separated by commas"],
      [["--date", "27/11/2026"], "--date must be a YYYY-MM-DD day"],
      [["--cards", "3"], "Unknown option '--cards'"],
    ];
    // Side by side, each with a DATA_DIR of its own (PGlite is one process per data directory).
    const results = await inParallel(cases, SCRIPT_CONCURRENCY, ([args], index) =>
      collect(args, { ...env, DATA_DIR: join(dir, `refusal-${index}`) }, dir),
    );
    for (const [index, [args, message]] of cases.entries()) {
      const { code, stderr } = results[index]!;
      expect(code, args.join(" ")).toBe(1);
      expect(stderr).toContain(message);
      expect(stderr).toContain("usage: pnpm data:collect");
    }
  });
});
