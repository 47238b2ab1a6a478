import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.js";

const ROOT = join(import.meta.dirname, "../..");
const coverage = config.test?.coverage as {
  provider: string;
  reporter: string[];
  reportsDirectory: string;
  thresholds: Record<string, { lines?: number }>;
};
const dirs = (parent: string) => readdirSync(join(ROOT, parent)).map((name) => `${parent}/${name}`);

describe("coverage thresholds (issue: at least 80 % of lines for packages/*, gateway and each subgraph)", () => {
  it("holds every package, the gateway and every subgraph to 80 % of lines, each on its own", () => {
    const groups = [...dirs("packages"), "gateway", ...dirs("subgraphs")].sort();
    expect(Object.keys(coverage.thresholds).sort()).toEqual(groups.map((group) => `${group}/**`));
    for (const group of groups) expect(coverage.thresholds[`${group}/**`]!.lines).toBeGreaterThanOrEqual(80);
  });

  it("writes the summary test.yml puts in the job summary, where it uploads it from", () => {
    expect(coverage.provider).toBe("v8");
    expect(coverage.reporter).toContain("json-summary");
    expect(coverage.reportsDirectory).toBe("coverage");
  });
});
