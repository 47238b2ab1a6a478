import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { generateApiKeySecret } from "@pokewatch/kit";
import type { ServingData } from "./serving-data.js";

export interface ServingStack {
  gatewayUrl: string;
  /** The admin key the stack was started with; every gateway call sends it. */
  apiKey: string;
  subgraphUrls: { pricing: string; keys: string; pipeline: string };
  /** The stack's internal metrics listener (`…/metrics`, every service's). */
  metricsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the whole system in its own process (`serve-stack.ts`) on the benchmark's data, with
 * Redis or not and the micro-batcher's wait (`off` = no merging), and waits until it serves.
 */
export async function startServingStack(
  data: ServingData,
  { redis, maxWaitMs = 1 }: { redis: boolean; maxWaitMs?: number | "off" },
): Promise<ServingStack> {
  const apiKey = generateApiKeySecret("test");
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []),
      "--import",
      "tsx",
      new URL("serve-stack.ts", import.meta.url).pathname,
    ],
    {
      env: {
        ...process.env,
        BENCH_SCHEMA: data.schema,
        BENCH_CARDS: String(data.cardIds.length),
        BENCH_REDIS: redis ? "1" : "0",
        BENCH_MAX_WAIT_MS: String(maxWaitMs),
        DATA_DIR: data.dataDir,
        POKEWATCH_ADMIN_KEY: apiKey,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the benchmark stack exited with ${code} before serving`)));
  });
  const urls = JSON.parse(line) as Omit<ServingStack, "apiKey" | "close">;
  return {
    ...urls,
    apiKey,
    async close() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Sum and count of a histogram on the stack's metrics listener (pricing's histograms live there). */
export async function histogramTotals(metricsUrl: string, name: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) })).text();
  // A sample line is `<name>_<suffix>[{labels}] <value>`.
  const read = (suffix: string) => {
    const metric = `${name}_${suffix}`;
    const line = text.split("\n").find((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
  };
  return { sum: read("sum"), count: read("count") };
}
