import { defineConfig } from "vitest/config";

const ignored = ["**/node_modules/**", "**/.pokewatch/**"];
/**
 * Prices come from the simulator in every test and in every process a test starts (they inherit
 * this), so no test reaches a price provider on the internet; tests of `auto` and `providers` set
 * PRICE_SOURCE themselves and point the providers at a fake server.
 */
const env = { PRICE_SOURCE: "simulator" };

/**
 * Three projects, one command (`pnpm test`):
 * - unit: `*.test.ts` beside the code, no external services, in parallel;
 * - integration: `*.int.test.ts` against the machine's real PostgreSQL and Redis, one file at a time;
 * - e2e: `tests/e2e`, the whole stack through the gateway, one file at a time.
 */
/**
 * `pnpm test:coverage` (CI's test job): the product code of each package, the gateway and each
 * subgraph must keep at least 80 % of its lines covered, counted per group so that a well-tested
 * package cannot hide an untested one. Counted in the test processes: code that runs only in
 * worker threads (the `*.worker.ts` entries) or in processes a test starts (CLIs, compiled entries,
 * separate services) is not seen, so those entry files are left out rather than counted as 0 %.
 */
const LINES = { lines: 80 };
const coverage = {
  provider: "v8" as const,
  include: ["gateway/src/**/*.ts", "subgraphs/*/src/**/*.ts", "packages/*/src/**/*.ts"],
  exclude: [
    ...ignored,
    "**/*.test.ts",
    "**/*.fixture.ts",
    "**/testing/**",
    "**/fixtures/**",
    "**/*.worker.ts",
    // Process entry points: started as their own processes by the e2e tests, never imported.
    "**/src/main.ts",
  ],
  reporter: ["text-summary", "json-summary", "html"],
  reportsDirectory: "coverage",
  thresholds: {
    "packages/kit/**": LINES,
    "packages/market/**": LINES,
    "packages/model/**": LINES,
    "gateway/**": LINES,
    "subgraphs/pricing/**": LINES,
    "subgraphs/keys/**": LINES,
    "subgraphs/pipeline/**": LINES,
  },
};

export default defineConfig({
  test: {
    coverage,
    projects: [
      {
        test: {
          name: "unit",
          include: ["{gateway,subgraphs,packages,stack,schema,scripts}/**/*.test.ts", "tests/static/**/*.test.ts"],
          exclude: [...ignored, "**/*.int.test.ts"],
          env,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ignored,
          env,
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          exclude: ignored,
          env,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
