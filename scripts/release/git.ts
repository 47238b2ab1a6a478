// Git as the version script uses it, always on the repository at `cwd`.
import { execFileSync } from "node:child_process";

/**
 * Variables that point git at a repository other than the one at `cwd`. Git exports them to its
 * hooks, so the version script run from a hook (or the unit tests run by the pre-push hook) would
 * otherwise read and commit to the outer repository instead of the one it was given.
 */
const LOCATION_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
];

export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of LOCATION_VARIABLES) delete env[name];
  return env;
}

/** Runs git in `cwd` and returns its stdout; a failing git throws with git's own message. */
export function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Changed, staged and untracked paths (empty when the tree is clean). */
export function dirtyPaths(cwd: string): string[] {
  return git(cwd, ["status", "--porcelain", "--untracked-files=normal"])
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
}

export function tagExists(cwd: string, tag: string): boolean {
  try {
    git(cwd, ["rev-parse", "--quiet", "--verify", `refs/tags/${tag}`]);
    return true;
  } catch {
    return false;
  }
}

/** The newest `v*` release tag reachable from HEAD, or null before the first release. */
export function lastReleaseTag(cwd: string): string | null {
  try {
    return git(cwd, ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"]).trim();
  } catch {
    return null;
  }
}

/** The full messages of the commits after `since` (all of HEAD's history when null), oldest first. */
export function commitMessages(cwd: string, since: string | null): string[] {
  const range = since ? [`${since}..HEAD`] : ["HEAD"];
  return git(cwd, ["log", "--reverse", "--format=%B%x1e", ...range])
    .split("\x1e")
    .map((message) => message.trim())
    .filter(Boolean);
}
