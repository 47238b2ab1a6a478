import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { workspacePackageDirs, withVersion } from "./workspace.js";

function createTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "pokewatch-workspace-"));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("workspacePackageDirs", () => {
  it("expands pnpm-workspace.yaml's globs to the folders holding a package.json, minus negations", () => {
    const root = createTree({
      "package.json": "{}",
      "pnpm-workspace.yaml":
        "packages:\n  - gateway\n  - subgraphs/*\n  - tools/**\n  - '!subgraphs/old'\n  - missing\n",
      "gateway/package.json": "{}",
      "subgraphs/a/package.json": "{}",
      "subgraphs/old/package.json": "{}",
      "subgraphs/notes/README.md": "",
      "subgraphs/a/node_modules/dep/package.json": "{}",
      "tools/deep/er/package.json": "{}",
      "tools/node_modules/x/package.json": "{}",
      "other/package.json": "{}",
    });
    expect(workspacePackageDirs(root)).toEqual(["", "gateway", "subgraphs/a", "tools/deep/er"]);
  });

  it("is the root alone without a packages list", () => {
    expect(
      workspacePackageDirs(createTree({ "package.json": "{}", "pnpm-workspace.yaml": "allowBuilds: {}\n" })),
    ).toEqual([""]);
  });
});

describe("withVersion", () => {
  it("changes only the version of a manifest prettier formatted, keeping its indentation and final newline", () => {
    const manifest = (version: string) =>
      `{\n  "name": "a",\n  "version": "${version}",\n  "files": [\n    "src"\n  ],\n  "bin": {\n    "a": "x"\n  }\n}\n`;
    expect(withVersion(manifest("1.0.0"), "1.1.0")).toBe(manifest("1.1.0"));
    expect(withVersion('{\n    "version": "1.0.0"\n}', "2.0.0")).toBe('{\n    "version": "2.0.0"\n}');
  });
});
