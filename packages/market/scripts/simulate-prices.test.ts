import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWorkspaceScript } from "@pokewatch/kit/testing";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = "packages/market/scripts/simulate-prices.ts";
const dir = mkdtempSync(join(tmpdir(), "data-simulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs what `pnpm data:simulate …` runs, from `dir` as pnpm reports it in INIT_CWD. */
const dataSimulate = (args: string[]) => runWorkspaceScript(SCRIPT, args, { typedIn: dir, timeoutMs: 60_000 });

describe("pnpm data:simulate", { timeout: 60_000 }, () => {
  it("writes a header and cards × days rows to --out, relative to where it was typed", async () => {
    const result = await dataSimulate(["--cards", "7", "--days", "30", "--seed", "3", "--out", "sim.csv"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^simulated 7 cards × 30 days = 210 points in \d+ ms \(seed 3, .*\) → .*sim\.csv\n$/);
    const lines = readFileSync(join(dir, "sim.csv"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1 + 7 * 30);
    expect(lines[0]).toBe("card_id,date,market_price,low_price,high_price,volume,source,currency");
    expect(lines.at(-1)).toMatch(/^[\w-]+,2025-12-31,[\d.]+,[\d.]+,[\d.]+,\d+,simulator,USD$/);
  });

  it("writes to stdout without --out, the same bytes for the same seed, ending on --end", async () => {
    const args = ["--cards", "3", "--days", "4", "--seed", "9", "--end", "2024-02-29"];
    const [first, again] = await Promise.all([dataSimulate(args), dataSimulate(args)]);
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split("\n")).toHaveLength(1 + 3 * 4);
    expect(first.stdout).toContain(",2024-02-29,");
    expect(again.stdout).toBe(first.stdout);
  });

  it.each([
    [["--cards", "0", "--days", "5", "--seed", "1"], /--cards must be a whole number from 1 to/],
    [["--cards", "5", "--days", "x", "--seed", "1"], /--days must be an integer; got "x"/],
    [["--cards", "5", "--days", "5"], /--seed is required/],
    [["--cards", "5", "--days", "5", "--seed", "1", "--end", "2025-02-30"], /--end must be a calendar day/],
    [["--cards", "5", "--days", "5", "--seed", "1", "--colour"], /Unknown option '--colour'/],
  ])("exits 1 on %j with a clear message and the usage", async (args, message) => {
    const result = await dataSimulate(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("usage: pnpm data:simulate");
  });

  it("reports every bad argument at once", async () => {
    const result = await dataSimulate(["--cards", "0", "--days", "x", "--seed", "1"]);
    expect(result.stderr).toMatch(/--days must be an integer[\s\S]*--cards must be a whole number/);
  });
});
