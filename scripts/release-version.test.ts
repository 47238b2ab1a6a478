import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { main, USAGE } from "./release-version.js";
import { createGitRepo, hermeticGitEnv, type GitRepo } from "./testing/git-repo.js";

const NOW = new Date("2026-12-03T18:00:00Z");

const manifest = (fields: Record<string, unknown>) => `${JSON.stringify(fields, null, 2)}\n`;
const CHANGELOG = `# Changelog

All notable changes to this project are documented here.

## [Unreleased]

## [1.2.3] - 2026-11-01

### Added

- The first release.
`;

/** A workspace at 1.2.3, tagged v1.2.3, whose packages pnpm-workspace.yaml's globs name. */
function createTemplate(): GitRepo {
  const repo = createGitRepo("pokewatch-release-");
  repo.commit("feat: before the last release (never in the notes)", {
    "package.json": manifest({ name: "root", version: "1.2.3", private: true, scripts: { test: "vitest" } }),
    "pnpm-workspace.yaml":
      "packages:\n  - packages/*\n  - tools/cli\n  - '!packages/scratch'\nallowBuilds:\n  esbuild: true\n",
    "packages/a/package.json": manifest({ name: "@w/a", version: "1.2.3", exports: { ".": "./src/index.ts" } }),
    "packages/b/package.json": manifest({ name: "@w/b", version: "1.2.3", dependencies: { "@w/a": "workspace:*" } }),
    "packages/scratch/package.json": manifest({ name: "scratch", version: "0.0.0" }),
    "packages/no-manifest/README.md": "not a package\n",
    "tools/cli/package.json": manifest({ name: "@w/cli", version: "1.2.3", bin: { w: "./cli.js" } }),
    "CHANGELOG.md": CHANGELOG,
  });
  repo.git("tag", "--annotate", "v1.2.3", "-m", "v1.2.3");
  return repo;
}

let template: GitRepo;
beforeAll(() => {
  template = createTemplate();
});
afterAll(() => template.cleanup());

/** A fresh copy of the template workspace for one test. */
function createWorkspace(): GitRepo {
  const repo = createGitRepo("pokewatch-release-", template.dir);
  onTestFinished(repo.cleanup);
  return repo;
}

async function run(repo: GitRepo, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    cwd: repo.dir,
    now: NOW,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const VERSIONED = ["package.json", "packages/a/package.json", "packages/b/package.json", "tools/cli/package.json"];
const read = (repo: GitRepo, path: string) => readFileSync(join(repo.dir, path), "utf8");
const versionOf = (repo: GitRepo, path: string) => (JSON.parse(read(repo, path)) as { version: string }).version;

describe("pnpm release:version", () => {
  it("current prints the root package.json's version", async () => {
    const repo = createWorkspace();
    expect(await run(repo, "current")).toEqual({ code: 0, stdout: "1.2.3\n", stderr: "" });
  });

  it("bump minor moves the Unreleased entries under the new version in every workspace package and commits", async () => {
    const repo = createWorkspace();
    repo.commit("docs: note the new search", {
      "CHANGELOG.md": CHANGELOG.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Search by set.\n"),
    });
    const result = await run(repo, "bump", "minor");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1.2.3 → 1.3.0");
    for (const path of VERSIONED) expect(versionOf(repo, path), path).toBe("1.3.0");
    expect(versionOf(repo, "packages/scratch/package.json")).toBe("0.0.0");
    // Only the version line changes; key order, nesting, 2-space indent and final newline stay.
    expect(read(repo, "packages/b/package.json")).toBe(
      manifest({ name: "@w/b", version: "1.3.0", dependencies: { "@w/a": "workspace:*" } }),
    );
    expect(read(repo, "CHANGELOG.md")).toBe(
      CHANGELOG.replace(
        "## [Unreleased]\n",
        "## [Unreleased]\n\n## [1.3.0] - 2026-12-03\n\n### Added\n\n- Search by set.\n",
      ),
    );
    expect(repo.git("log", "-1", "--format=%s").trim()).toBe("chore(release): v1.3.0");
    expect(repo.git("show", "--name-only", "--format=", "HEAD").trim().split("\n").sort()).toEqual(
      [...VERSIONED, "CHANGELOG.md"].sort(),
    );
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(repo.git("tag", "--list").trim()).toBe("v1.2.3");
  });

  it("bump patch --tag fills an empty Unreleased from the conventional commits since the last tag, and tags", async () => {
    const repo = createWorkspace();
    repo.commit("feat(pricing): deals by set", { "a.txt": "1" });
    repo.commit("fix: a revoked key answers 401\n\nIt answered 500.", { "b.txt": "1" });
    repo.commit("chore: bump a tool", { "c.txt": "1" });
    repo.commit("perf(keys): one query per verification", { "d.txt": "1" });
    repo.commit("feat(gateway)!: x-api-key only", { "e.txt": "1" });
    repo.commit("refactor: new config loader\n\nBREAKING CHANGE: PORT is now GATEWAY_PORT", { "f.txt": "1" });
    repo.commit("Merge branch 'x' (not conventional)", { "g.txt": "1" });
    repo.commit("docs: readme", { "h.txt": "1" });

    const result = await run(repo, "bump", "patch", "--tag");

    expect(result.code).toBe(0);
    const release = read(repo, "CHANGELOG.md").split("## [1.2.3]")[0];
    expect(release).toBe(`# Changelog

All notable changes to this project are documented here.

## [Unreleased]

## [1.2.4] - 2026-12-03

### Breaking

- **gateway:** x-api-key only
- new config loader

### Added

- **pricing:** deals by set

### Changed

- **keys:** one query per verification

### Fixed

- a revoked key answers 401

`);
    expect(repo.git("cat-file", "-t", "v1.2.4").trim()).toBe("tag");
    expect(repo.git("rev-parse", "v1.2.4^{commit}")).toBe(repo.git("rev-parse", "HEAD"));
    expect(repo.git("log", "-1", "--format=%s").trim()).toBe("chore(release): v1.2.4");
    expect(result.stdout).toContain("git push --atomic origin HEAD v1.2.4");
  });

  it("set takes a prerelease; --dry-run shows the release and writes nothing", async () => {
    const repo = createWorkspace();
    repo.commit("feat: something *new*", { "a.txt": "1" });
    const before = repo.snapshot();

    const result = await run(repo, "set", "2.0.0-rc.1", "--tag", "--dry-run");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1.2.3 → 2.0.0-rc.1 (dry run: nothing written)");
    expect(result.stdout).toContain("### Added\n\n- something *new*");
    expect(result.stdout).toContain('commit "chore(release): v2.0.0-rc.1"; tag v2.0.0-rc.1');
    expect(repo.snapshot()).toEqual(before);

    expect((await run(repo, "set", "2.0.0-rc.1")).code).toBe(0);
    expect(versionOf(repo, "tools/cli/package.json")).toBe("2.0.0-rc.1");
    // Written as prettier writes Markdown, so `pnpm format:check` passes after a release.
    expect(read(repo, "CHANGELOG.md")).toContain("### Added\n\n- something _new_\n");
    expect((await run(repo, "bump", "major")).stdout).toContain("2.0.0-rc.1 → 2.0.0");
  });

  describe("refuses with exit 1, a reason and nothing written", () => {
    const refusals: [string, (repo: GitRepo) => void, string[], RegExp][] = [
      [
        "a modified file",
        (r) => r.write({ "packages/a/package.json": "{}\n" }),
        ["bump", "patch"],
        /uncommitted changes \(packages\/a\/package.json\)/,
      ],
      [
        "an untracked file",
        (r) => r.write({ "notes.txt": "wip" }),
        ["bump", "patch"],
        /uncommitted changes \(notes.txt\)/,
      ],
      ["a malformed version", () => {}, ["set", "1.3"], /"1.3" is not a version/],
      ["a version with a v", () => {}, ["set", "v1.3.0"], /"v1.3.0" is not a version/],
      ["the current version", () => {}, ["set", "1.2.3"], /1.2.3 is not greater than the current version 1.2.3/],
      ["an older version", () => {}, ["set", "1.2.3-rc.1"], /1.2.3-rc.1 is not greater than/],
      ["an existing tag", (r) => r.git("tag", "v1.3.0"), ["bump", "minor", "--tag"], /the tag v1.3.0 already exists/],
      [
        "packages that disagree",
        (r) => r.commit("chore: drift", { "packages/b/package.json": manifest({ name: "@w/b", version: "1.2.4" }) }),
        ["bump", "patch"],
        /disagree on the version: package.json has 1.2.3, packages\/b\/package.json \(1.2.4\)/,
      ],
      [
        "a changelog without Unreleased",
        (r) => r.commit("docs: oops", { "CHANGELOG.md": "# Changelog\n" }),
        ["bump", "patch"],
        /no `## \[Unreleased\]` heading/,
      ],
    ];
    for (const [name, arrange, argv, reason] of refusals) {
      it(name, async () => {
        const repo = createWorkspace();
        arrange(repo);
        const before = repo.snapshot();
        const result = await run(repo, ...argv);
        expect(result).toMatchObject({ code: 1, stdout: "" });
        expect(result.stderr).toMatch(reason);
        expect(repo.snapshot()).toEqual(before);
      });
    }

    it("a commit that git refuses (here a pre-commit hook) leaves the tree as it was", async () => {
      const repo = createWorkspace();
      const hook = join(repo.dir, ".git/hooks/pre-commit");
      writeFileSync(hook, "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n");
      chmodSync(hook, 0o755);
      const before = repo.snapshot();
      const result = await run(repo, "bump", "patch");
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/git commit failed, nothing changed: hook says no/);
      expect(repo.snapshot()).toEqual(before);
    });
  });

  it("prints the usage line and exits 2 on bad usage", async () => {
    const repo = createWorkspace();
    const before = repo.snapshot();
    for (const argv of [
      [],
      ["bump"],
      ["bump", "huge"],
      ["set"],
      ["current", "--tag"],
      ["bump", "minor", "--force"],
      ["ship"],
      ["set", "1.3.0", "1.4.0"],
    ]) {
      expect(await run(repo, ...argv), argv.join(" ")).toEqual({ code: 2, stdout: "", stderr: `${USAGE}\n` });
    }
    expect(repo.snapshot()).toEqual(before);
  });

  describe("inside a git hook", () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = saved;
    });

    it("works on the repository it is given, not the one git's hook variables point at", async () => {
      const outer = createGitRepo("pokewatch-outer-");
      onTestFinished(outer.cleanup);
      outer.commit("chore: outer", { "x.txt": "x" });
      const before = outer.snapshot();
      process.env = {
        ...saved,
        GIT_DIR: join(outer.dir, ".git"),
        GIT_WORK_TREE: outer.dir,
        GIT_INDEX_FILE: join(outer.dir, ".git/index"),
      };
      const repo = createWorkspace();

      expect((await run(repo, "bump", "patch")).code).toBe(0);
      expect(versionOf(repo, "package.json")).toBe("1.2.4");
      expect(outer.snapshot()).toEqual(before);
    });
  });

  it("is wired to pnpm release:version in this workspace", () => {
    const root = join(import.meta.dirname, "..");
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version: string;
      scripts: Record<string, string>;
    };
    expect(manifest.scripts["release:version"]).toBe("tsx scripts/release-version.ts");
    // node --import tsx is what the script runs; `pnpm` itself could reinstall the workspace first.
    const output = execFileSync(process.execPath, ["--import", "tsx", "scripts/release-version.ts", "current"], {
      cwd: root,
      encoding: "utf8",
      env: hermeticGitEnv(),
    });
    expect(output).toBe(`${manifest.version}\n`);
  });
});
