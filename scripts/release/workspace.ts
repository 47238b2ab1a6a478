// The workspace's package.json files, found from pnpm-workspace.yaml's `packages` globs as pnpm
// finds them, so a new package is versioned without touching the version script.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";

export interface PackageManifest {
  /** Relative to the workspace root, e.g. `subgraphs/keys/package.json`. */
  path: string;
  text: string;
  version: string | undefined;
}

function segmentPattern(segment: string): RegExp {
  const escaped = segment
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  // eslint-disable-next-line security/detect-non-literal-regexp -- a glob from pnpm-workspace.yaml, escaped above; `*` and `?` never cross a `/`
  return new RegExp(`^${escaped}$`);
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith("."))
    .map((entry) => join(dir, entry.name));
}

/** Directories under `root` matching one glob (`*`, `?`, `**`), one path segment at a time. */
function expand(root: string, glob: string): string[] {
  let dirs = [root];
  for (const segment of glob.replace(/\/+$/, "").split("/")) {
    if (segment === "**") {
      const all: string[] = [];
      const walk = (dir: string) => {
        all.push(dir);
        subdirectories(dir).forEach(walk);
      };
      dirs.forEach(walk);
      dirs = all;
    } else if (/[*?]/.test(segment)) {
      const pattern = segmentPattern(segment);
      dirs = dirs.flatMap(subdirectories).filter((dir) => pattern.test(dir.slice(dir.lastIndexOf("/") + 1)));
    } else {
      dirs = dirs.map((dir) => join(dir, segment)).filter((dir) => existsSync(dir));
    }
  }
  return dirs;
}

/** The workspace's package directories (relative, root first as ""), as pnpm-workspace.yaml lists them. */
export function workspacePackageDirs(root: string): string[] {
  const config = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")) as { packages?: unknown } | null;
  const globs = Array.isArray(config?.packages)
    ? config.packages.filter((g): g is string => typeof g === "string")
    : [];
  const excluded = new Set(globs.filter((g) => g.startsWith("!")).flatMap((g) => expand(root, g.slice(1))));
  const dirs = new Set(
    globs
      .filter((g) => !g.startsWith("!"))
      .flatMap((g) => expand(root, g))
      .filter((dir) => !excluded.has(dir) && existsSync(join(dir, "package.json"))),
  );
  dirs.delete(root);
  return ["", ...[...dirs].map((dir) => relative(root, dir)).sort()];
}

export function readManifests(root: string): PackageManifest[] {
  return workspacePackageDirs(root).map((dir) => {
    const path = dir ? `${dir}/package.json` : "package.json";
    const text = readFileSync(join(root, path), "utf8");
    const { version } = JSON.parse(text) as { version?: unknown };
    return { path, text, version: typeof version === "string" ? version : undefined };
  });
}

/**
 * The manifest with a new version and its own indentation and final newline kept: the 2-space
 * `JSON.stringify` layout is also what prettier writes for package.json, so nothing else moves.
 */
export function withVersion(text: string, version: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  if (!("version" in manifest)) throw new Error("the manifest has no version field");
  manifest.version = version;
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? "  ";
  return `${JSON.stringify(manifest, null, indent)}${text.endsWith("\n") ? "\n" : ""}`;
}
