// CONTRIBUTING.md and the editor files stay true to the repository they describe.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const contributing = read("CONTRIBUTING.md");

/** Paths a command writes rather than the repository holding them (bench/results is ignored by git). */
const WRITTEN_BY_COMMANDS = ["bench/results/*.json"];

const PLACEHOLDER = /<[^>]+>|\bN{2,}\b/g;

/** Whether the path exists; `<name>` and `NNN` are placeholders that any file or folder there fills. */
function matches(path: string): boolean {
  let found = [ROOT];
  for (const segment of path.replace(/\/$/, "").split("/")) {
    const pattern = new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(PLACEHOLDER, ".+")}$`);
    found = found
      .filter((dir) => existsSync(dir) && statSync(dir).isDirectory())
      .flatMap((dir) =>
        readdirSync(dir)
          .filter((name) => pattern.test(name))
          .map((name) => join(dir, name)),
      );
  }
  return found.length > 0;
}

/** Backticked paths (a folder, a dotfile or a file name with an extension) and relative link targets. */
function namedPaths(markdown: string): string[] {
  const ticked = [...markdown.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1]!)
    // Not paths: globs (`*.test.ts`), URLs, flags, and name patterns without a folder (`NNN-name.sql`).
    .filter((token) => !token.startsWith("*") && !token.includes("://") && !token.startsWith("--"))
    .filter((token) => token.includes("/") || !new RegExp(PLACEHOLDER.source).test(token))
    .filter(
      (token) =>
        token.includes("/") ||
        /^\.[\w-]/.test(token) ||
        /^[\w.-]+\.(md|json|ya?ml|toml|ts|mjs|sql|graphql)$/.test(token),
    );
  // eslint-disable-next-line security/detect-unsafe-regex -- disjoint classes, no nested quantifier: linear; and on our own CONTRIBUTING.md
  const linked = [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^\w+:/.test(target));
  return [...new Set([...ticked, ...linked])];
}

const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-");
const anchorsOf = (markdown: string) => new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe("CONTRIBUTING.md", () => {
  it("names only paths that exist", () => {
    const paths = namedPaths(contributing);
    expect(paths).toEqual(
      expect.arrayContaining(["lefthook.yml", "packages/kit/src/error-codes.ts", "subgraphs/<name>/schema.graphql"]),
    );
    const missing = paths.filter(
      (path) => !WRITTEN_BY_COMMANDS.some((written) => path.replace(/<[^>]+>/g, "*") === written) && !matches(path),
    );
    expect(missing).toEqual([]);
  });

  it("links only to headings that exist", () => {
    const links = [...contributing.matchAll(/\]\(([^)\s]*)#([^)\s]+)\)/g)].map((m) => ({
      file: m[1] || "CONTRIBUTING.md",
      anchor: m[2]!,
    }));
    expect(links.length).toBeGreaterThan(0);
    for (const { file, anchor } of links) expect(anchorsOf(read(file)).has(anchor), `${file}#${anchor}`).toBe(true);
  });

  it("names only pnpm commands the root package.json has", () => {
    const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
    const builtins = ["install", "exec"];
    const named = [...contributing.matchAll(/\bpnpm ([a-z][\w:-]*)/g)]
      .map((m) => m[1]!)
      .filter((name) => !builtins.includes(name));
    expect(named).toEqual(expect.arrayContaining(["release:version", "docs:errors", "compose", "bench", "test:unit"]));
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});

describe("editor settings", () => {
  it(".editorconfig says what prettier writes", () => {
    const editorconfig = read(".editorconfig");
    const { printWidth } = JSON.parse(read(".prettierrc.json")) as { printWidth: number };
    expect(editorconfig).toContain(`max_line_length = ${printWidth}`);
    for (const line of [
      "indent_style = space",
      "indent_size = 2",
      "end_of_line = lf",
      "charset = utf-8",
      "insert_final_newline = true",
    ]) {
      expect(editorconfig).toContain(line);
    }
  });

  it(".nvmrc picks the Node major the production image runs", () => {
    const imageMajor = /^FROM node:(\d+)\./m.exec(read("ops/Dockerfile"))?.[1];
    expect(read(".nvmrc").trim()).toBe(imageMajor);
  });
});
