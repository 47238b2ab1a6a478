import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { renderNotes } from "./release/changelog.js";
import { notesOf } from "./release/conventional-commits.js";
import { commitMessages, lastReleaseTag } from "./release/git.js";
import { createGitRepo, hermeticGitEnv } from "./testing/git-repo.js";

const ROOT = join(import.meta.dirname, "..");

/** git-cliff's binary from node_modules with the project's cliff.toml, as the release workflow runs it. */
const gitCliff = (cwd: string, ...args: string[]) =>
  execFileSync(join(ROOT, "node_modules/.bin/git-cliff"), ["--config", join(ROOT, "cliff.toml"), ...args], {
    cwd,
    encoding: "utf8",
    env: hermeticGitEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });

describe("cliff.toml", () => {
  it("renders the notes git-cliff gives the GitHub release with the sections of pnpm release:version", () => {
    const repo = createGitRepo("pokewatch-cliff-");
    onTestFinished(repo.cleanup);
    repo.commit("feat: before the release");
    repo.git("tag", "--annotate", "v0.1.0", "-m", "v0.1.0");
    for (const message of [
      "feat(pricing): deals by set",
      "fix: a revoked key answers 401\n\nIt answered 500.",
      "chore: bump a tool",
      "perf(keys): one query per verification",
      "feat(gateway)!: x-api-key only",
      "refactor: new config loader\n\nBREAKING CHANGE: PORT is now GATEWAY_PORT",
      "docs: readme",
      "not a conventional commit",
    ]) {
      repo.commit(message);
    }
    const ours = renderNotes(notesOf(commitMessages(repo.dir, lastReleaseTag(repo.dir))));
    expect(ours).toContain("### Breaking\n\n- **gateway:** x-api-key only\n- new config loader\n");

    expect(gitCliff(repo.dir, "--unreleased", "--strip", "header").trim()).toBe(`## [Unreleased]\n\n${ours}`.trim());

    // The release workflow's call once the tag is pushed: that tag's notes, headed by its version.
    repo.git("tag", "--annotate", "v0.2.0", "-m", "v0.2.0");
    const latest = gitCliff(repo.dir, "--latest", "--strip", "header");
    expect(latest).toMatch(/^## \[0\.2\.0\] - \d{4}-\d{2}-\d{2}\n\n/);
    expect(latest.replace(/^.*\n\n/, "").trim()).toBe(ours.trim());
  });
});
