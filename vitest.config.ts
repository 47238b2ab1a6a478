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
export default defineConfig({
  test: {
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
