// Throwaway git repositories under the system temp folder for tests of the release and hook
// tooling, so no test ever reads or writes the project's own repository, its tags or its hooks.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gitEnv } from "../release/git.js";

export interface GitRepo {
  dir: string;
  cleanup: () => void;
  /** Runs git in the repository; stdout. */
  git(...args: string[]): string;
  write(files: Record<string, string>): void;
  /** Writes `files` (if any), stages everything and commits with `message`. */
  commit(message: string, files?: Record<string, string>): void;
  /** Every file outside .git with its contents, HEAD, the tags and the status: what "nothing written" compares. */
  snapshot(): { files: Record<string, string>; head: string; tags: string; status: string };
}

/** Git with the machine's global and system config left out, so a user's settings cannot change a test. */
export const hermeticGitEnv = (extra: NodeJS.ProcessEnv = {}) =>
  gitEnv({ GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...extra });

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === ".git" || entry.name === "node_modules") return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}

/**
 * A new repository on `main` with a local identity, or a copy of the repository `from` (cheaper
 * than building the same history again in every test). The caller removes it with `cleanup`.
 */
export function createGitRepo(prefix = "pokewatch-repo-", from?: string): GitRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, env: hermeticGitEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (from) {
    cpSync(from, dir, { recursive: true });
  } else {
    git("init", "--quiet", "--initial-branch=main");
    for (const [key, value] of Object.entries({
      "user.name": "Test",
      "user.email": "test@example.com",
      "commit.gpgsign": "false",
      "tag.gpgsign": "false",
    })) {
      git("config", key, value);
    }
  }
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  return {
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    git,
    write,
    commit(message, files = {}) {
      write(files);
      git("add", "--all");
      git("commit", "--quiet", "--allow-empty", "-m", message);
    },
    snapshot() {
      const files = Object.fromEntries(listFiles(dir).map((path) => [path, readFileSync(join(dir, path), "utf8")]));
      return {
        files,
        head: git("rev-parse", "HEAD"),
        tags: git("tag", "--list"),
        status: git("status", "--porcelain"),
      };
    },
  };
}
