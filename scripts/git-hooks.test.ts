// The hooks and the `prepare` script that installs them, run for real in throwaway repositories
// (never in this one: its hooks directory is shared by every worktree).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createGitRepo, hermeticGitEnv, type GitRepo } from "./testing/git-repo.js";

const ROOT = join(import.meta.dirname, "..");
const PREPARE = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { prepare: string } })
  .scripts.prepare;
/** What the hooks and their commands read, copied from this workspace. */
const CONFIG_FILES = [
  "lefthook.yml",
  "scripts/install-hooks.mjs",
  ".prettierrc.json",
  ".prettierignore",
  "eslint.config.js",
  "tsconfig.json",
  "tsconfig.base.json",
];

/** The environment of a developer's shell: no CI, no LEFTHOOK switch, no outer repository. */
function developerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = hermeticGitEnv(extra);
  for (const name of ["CI", "LEFTHOOK", "GITHUB_ACTIONS"]) if (!(name in extra)) delete env[name];
  return env;
}

/** Runs the root `prepare` script as `pnpm install` does (sh, in the workspace root). */
function prepare(dir: string, extra: NodeJS.ProcessEnv = {}) {
  return spawnSync("sh", ["-c", PREPARE], { cwd: dir, env: developerEnv(extra), encoding: "utf8" });
}

/** A repository with this workspace's hook configuration, its node_modules linked in (not copied). */
function createHookedRepo(): GitRepo {
  const repo = createGitRepo("pokewatch-hooks-");
  onTestFinished(repo.cleanup);
  for (const file of CONFIG_FILES) cpSync(join(ROOT, file), join(repo.dir, file));
  symlinkSync(join(ROOT, "node_modules"), join(repo.dir, "node_modules"));
  repo.write({
    "package.json": `${JSON.stringify({ name: "hooks-test", private: true, type: "module" }, null, 2)}\n`,
    ".gitignore": "node_modules\n",
  });
  return repo;
}

const hooksOf = (repo: GitRepo) =>
  ["pre-commit", "pre-push"].filter((hook) => existsSync(join(repo.dir, ".git/hooks", hook)));

function commit(repo: GitRepo, message: string, extra: NodeJS.ProcessEnv = {}) {
  return spawnSync("git", ["commit", "--quiet", "-m", message], {
    cwd: repo.dir,
    env: developerEnv(extra),
    encoding: "utf8",
  });
}

describe("prepare (run by pnpm install)", () => {
  it("does nothing, and says why, where there is no git checkout (the image build, a source archive)", () => {
    const dir = mkdtempSync(join(tmpdir(), "pokewatch-no-git-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // As in ops/Dockerfile's install layer: manifests only, no .git and no scripts/.
    const result = prepare(dir, { CI: "true" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("prepare: not a git checkout");
  });

  it("does nothing in CI or with LEFTHOOK=0, and says why", () => {
    const repo = createHookedRepo();
    const ci = prepare(repo.dir, { CI: "true" });
    expect(ci.status).toBe(0);
    expect(ci.stdout).toContain("prepare: CI is set");
    const off = prepare(repo.dir, { LEFTHOOK: "0" });
    expect(off.status).toBe(0);
    expect(off.stdout).toContain("prepare: LEFTHOOK=0");
    expect(hooksOf(repo)).toEqual([]);
  });

  it("installs the pre-commit and pre-push hooks in a checkout, and fails when it cannot", () => {
    const repo = createHookedRepo();
    repo.git("config", "core.hooksPath", ".githooks");
    const refused = prepare(repo.dir);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("`lefthook install` failed");

    repo.git("config", "--unset", "core.hooksPath");
    const installed = prepare(repo.dir);
    expect(installed.status, installed.stderr).toBe(0);
    expect(hooksOf(repo)).toEqual(["pre-commit", "pre-push"]);
  });
});

describe("the pre-commit hook", () => {
  it(
    "commits staged files formatted, refuses a lint error, and is skipped with LEFTHOOK=0",
    { timeout: 90_000 },
    () => {
      const repo = createHookedRepo();
      repo.commit("chore: the hook configuration");
      expect(prepare(repo.dir).status).toBe(0);

      // Not TypeScript, so only prettier runs: eslint takes seconds to load and runs once, below.
      repo.write({ "config.json": '{"sets":["sv1",   "sv2"],\n"limit":  3}' });
      repo.git("add", "config.json");
      const formatted = commit(repo, "feat: the config");
      expect(formatted.status, formatted.stderr + formatted.stdout).toBe(0);
      expect(repo.git("show", "HEAD:config.json")).toBe('{ "sets": ["sv1", "sv2"], "limit": 3 }\n');
      expect(repo.git("status", "--porcelain")).toBe("");

      const head = repo.git("rev-parse", "HEAD");
      repo.write({ "scripts/noisy.ts": 'export const noisy = 1;\nconsole.log("debugging");\n' });
      repo.git("add", "scripts/noisy.ts");
      const refused = commit(repo, "feat: noisy");
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/no-console/);
      expect(repo.git("rev-parse", "HEAD")).toBe(head);

      const skipped = commit(repo, "feat: noisy anyway", { LEFTHOOK: "0" });
      expect(skipped.status, skipped.stderr).toBe(0);
      expect(
        execFileSync("git", ["log", "-1", "--format=%s"], { cwd: repo.dir, env: hermeticGitEnv(), encoding: "utf8" }),
      ).toBe("feat: noisy anyway\n");
    },
  );
});
