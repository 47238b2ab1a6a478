// The production build the image runs (ops/Dockerfile) and tests/static/production-build.test.ts
// repeats here: TypeScript → JavaScript with tsc, data files beside the code that reads them, then
// `pnpm deploy --prod` per service so that each ships its production dependencies only.
//   node --import tsx ops/build/build-dist.ts OUT_DIR
// OUT_DIR/app then holds gateway/, subgraphs/{pricing,keys,pipeline}/ and schema/ laid out as in
// the repository, so paths the code resolves from import.meta.url (../../schema/supergraph.graphql,
// ../schema.graphql, migrations/, data/catalog.json) and the worker entries (*.worker.js) hold.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The deployable services, by workspace path. */
export const SERVICES = {
  gateway: "gateway",
  pricing: "subgraphs/pricing",
  keys: "subgraphs/keys",
  pipeline: "subgraphs/pipeline",
} as const;
export type ServiceName = keyof typeof SERVICES;

/** The packages that ship: the services and what they import. */
export const SHIPPED_PACKAGES = [...Object.values(SERVICES), "packages/kit", "packages/market", "packages/model"];

/** The compiled entry of a service, relative to the image's /app. */
export const entryOf = (service: ServiceName) => `${SERVICES[service]}/src/main.js`;

const ROOT_FILES = ["package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", ".npmrc"];
const SKIPPED = new Set(["node_modules", "scripts", "tsconfig.json", "package.json"]);

/** Every file of a package that is not TypeScript (schemas, SQL migrations, data): the code reads them at run time. */
function copyAssets(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyAssets(source, join(to, entry.name));
    else if (!entry.name.endsWith(".ts")) {
      mkdirSync(to, { recursive: true });
      cpSync(source, join(to, entry.name));
    }
  }
}

/** The manifest with its exports pointing at the compiled `.js` instead of the `.ts` sources. */
export function compiledManifest(text: string): string {
  const manifest = JSON.parse(text) as { exports?: Record<string, string> };
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    manifest.exports![key] = target.replace(/\.ts$/, ".js");
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function buildDist(out: string, log: (line: string) => void = () => {}): string {
  const workspace = join(out, "workspace");
  const app = join(out, "app");
  rmSync(out, { recursive: true, force: true });

  log("tsc → JavaScript");
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "ops/build/tsconfig.json", "--outDir", workspace],
    { cwd: ROOT, stdio: "inherit" },
  );

  for (const file of ROOT_FILES) cpSync(join(ROOT, file), join(workspace, file));
  for (const pkg of SHIPPED_PACKAGES) {
    copyAssets(join(ROOT, pkg), join(workspace, pkg));
    writeFileSync(
      join(workspace, pkg, "package.json"),
      compiledManifest(readFileSync(join(ROOT, pkg, "package.json"), "utf8")),
    );
  }

  for (const [name, path] of Object.entries(SERVICES)) {
    log(`pnpm deploy --prod ${name}`);
    // --offline: every package is in the store already (`pnpm fetch` in the image's install layer).
    execFileSync("pnpm", ["--filter", `@pokewatch/${name}`, "deploy", "--prod", "--offline", join(app, path)], {
      cwd: workspace,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, CI: "true" },
    });
  }
  mkdirSync(join(app, "schema"));
  for (const file of readdirSync(join(ROOT, "schema")).filter((f) => f.endsWith(".graphql"))) {
    cpSync(join(ROOT, "schema", file), join(app, "schema", file));
  }
  cpSync(join(ROOT, "ops/healthcheck.mjs"), join(app, "healthcheck.mjs"));
  log(`built ${relative(process.cwd(), app) || "."}`);
  return app;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: node --import tsx ops/build/build-dist.ts OUT_DIR\n");
    process.exit(2);
  }
  buildDist(resolve(out), (line) => process.stdout.write(`${line}\n`));
}
