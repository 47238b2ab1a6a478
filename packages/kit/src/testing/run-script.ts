import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The workspace root, where pnpm runs the root package.json's scripts. */
export const WORKSPACE_ROOT = join(import.meta.dirname, "../../../..");

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunScriptOptions {
  /** The folder the user typed the command in (pnpm passes it as INIT_CWD). */
  typedIn: string;
  /** Added to the environment; `DATABASE_URL` and `NODE_ENV` are not inherited from the test run. */
  env?: Record<string, string>;
  /** @default 120_000 */
  timeoutMs?: number;
}

/**
 * Runs a workspace script (`packages/…/scripts/x.ts`) the way `pnpm <script>` does: with tsx, from
 * the workspace root, with INIT_CWD set. Resolves with the exit code instead of throwing.
 */
export async function runWorkspaceScript(
  script: string,
  args: string[],
  options: RunScriptOptions,
): Promise<ScriptRun> {
  const { DATABASE_URL: _ours, NODE_ENV: _setByVitest, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: WORKSPACE_ROOT,
      env: { ...inherited, INIT_CWD: options.typedIn, ...options.env },
      timeout: options.timeoutMs ?? 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * `run` on each item, `limit` at a time, results in the items' order: for a table of a CLI's
 * refusals, each its own process. They are CPU-bound (about 2.4 s of CPU each, most of it loading
 * modules), so on 2 cores this saves a little, not a factor (keys-cli's 16 refusals: 34.5 s → 29 s).
 * Cases that open a database need a DATA_DIR each (PGlite is one process per data directory).
 */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
) {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await run(items[index]!, index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Side by side, for script refusals: one more than the 2 cores, to cover each process's I/O waits. */
export const SCRIPT_CONCURRENCY = 3;
