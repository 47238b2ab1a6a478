import { defineConfig } from "vitest/config";

const ignored = ["**/node_modules/**", "**/.pokewatch/**"];

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
          include: ["{gateway,subgraphs,packages,stack,schema}/**/*.test.ts", "tests/static/**/*.test.ts"],
          exclude: [...ignored, "**/*.int.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ignored,
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
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
