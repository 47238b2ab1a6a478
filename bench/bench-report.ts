import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

/** One benchmark's numbers: rows of a table, plus the settings that produced them. */
export interface BenchResult {
  name: string;
  /** What to run to get these numbers again. */
  command: string;
  settings: Record<string, number | string>;
  rows: Record<string, number | string>[];
  /** Targets from the issues, with whether this run met them. */
  targets: { target: string; measured: string; met: boolean }[];
}

const RESULTS_DIR = join(import.meta.dirname, "results");

/** Prints the tables and writes `bench/results/<name>.json` with the machine it ran on. */
export function reportBench(result: BenchResult): void {
  process.stdout.write(`\n## ${result.name}  (${result.command})\n${JSON.stringify(result.settings)}\n`);
  // eslint-disable-next-line no-console -- a benchmark prints its table
  console.table(result.rows);
  for (const t of result.targets) process.stdout.write(`${t.met ? "MET   " : "MISSED"} ${t.target}: ${t.measured}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memGiB: Math.round(totalmem() / 2 ** 30),
  };
  writeFileSync(
    join(RESULTS_DIR, `${result.name}.json`),
    `${JSON.stringify({ ...result, machine, at: new Date().toISOString() }, null, 2)}\n`,
  );
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1; got ${raw}`);
  return value;
}
