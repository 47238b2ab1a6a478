import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

// A worker runs the TypeScript sources like its parent does: under tsx (`pnpm start`) and under
// vitest alike, by registering tsx's ESM hooks in the worker before the import. Compiled
// JavaScript entries (the images, ops/build/build-dist.ts) are imported as they are.
const BOOTSTRAP = `const { workerData } = require("node:worker_threads");
const load = workerData.tsx
  ? import(workerData.tsx).then((tsx) => { tsx.register(); })
  : Promise.resolve();
load.then(() => import(workerData.entry));`;

let tsxApi: string | undefined;
function tsxApiUrl(): string {
  tsxApi ??= pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  return tsxApi;
}

/**
 * The entry module `name` (without extension) beside `moduleUrl`, with the extension the caller
 * itself runs from: `.ts` under tsx and vitest, `.js` once compiled.
 */
export const siblingEntry = (moduleUrl: string, name: string): URL =>
  new URL(`./${name}${fileURLToPath(moduleUrl).slice(-3)}`, moduleUrl);

/**
 * Starts a worker thread on an ES module entry, TypeScript or JavaScript. `data` reaches the entry
 * as `workerData.data`.
 */
export function startModuleWorker(
  entry: URL,
  data?: unknown,
  options: Omit<WorkerOptions, "eval" | "workerData"> = {},
) {
  const tsx = entry.pathname.endsWith(".ts") ? tsxApiUrl() : undefined;
  return new Worker(BOOTSTRAP, { ...options, eval: true, workerData: { entry: entry.href, tsx, data } });
}
