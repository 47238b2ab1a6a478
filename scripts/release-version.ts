// pnpm release:version current | bump major|minor|patch | set X.Y.Z [--tag] [--dry-run]
// One version for the whole workspace: every package.json that pnpm-workspace.yaml names, and a
// CHANGELOG.md section for it, committed as `chore(release): vX.Y.Z` (and tagged with --tag; pushing
// the tag runs the release workflow). Everything is checked before anything is written.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { format, resolveConfig } from "prettier";
import { releaseChangelog } from "./release/changelog.js";
import { notesOf } from "./release/conventional-commits.js";
import { commitMessages, dirtyPaths, git, lastReleaseTag, tagExists } from "./release/git.js";
import { bumpVersion, compareVersions, formatVersion, parseVersion, type BumpLevel } from "./release/semver.js";
import { readManifests, withVersion } from "./release/workspace.js";

export const USAGE = "usage: pnpm release:version current | bump major|minor|patch | set X.Y.Z [--tag] [--dry-run]";

type Command = { kind: "current" } | { kind: "bump"; level: BumpLevel } | { kind: "set"; version: string };
interface Args {
  command: Command;
  tag: boolean;
  dryRun: boolean;
}

export interface MainOptions {
  /** The workspace root (a git work tree). */
  cwd: string;
  /** Dates the changelog section (UTC). */
  now: Date;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A reason not to release; nothing has been written when it is thrown. */
class Refusal extends Error {}

function parseArgs(argv: string[]): Args | null {
  const flags = argv.filter((arg) => arg.startsWith("-") && arg !== "--");
  const words = argv.filter((arg) => !arg.startsWith("-"));
  if (flags.some((flag) => flag !== "--tag" && flag !== "--dry-run")) return null;
  const tag = flags.includes("--tag");
  const dryRun = flags.includes("--dry-run");
  const [verb, value, ...extra] = words;
  if (extra.length) return null;
  if (verb === "current")
    return value === undefined && !flags.length ? { command: { kind: "current" }, tag, dryRun } : null;
  if (verb === "bump" && (value === "major" || value === "minor" || value === "patch")) {
    return { command: { kind: "bump", level: value }, tag, dryRun };
  }
  if (verb === "set" && value !== undefined) return { command: { kind: "set", version: value }, tag, dryRun };
  return null;
}

/** The one version every workspace package.json carries; refuses when they disagree. */
function currentVersion(cwd: string) {
  const manifests = readManifests(cwd);
  const rootVersion = manifests[0]!.version;
  if (rootVersion === undefined) throw new Refusal("package.json has no version field");
  const disagreeing = manifests.filter((m) => m.version !== rootVersion);
  if (disagreeing.length) {
    const named = disagreeing.map((m) => `${m.path} (${m.version ?? "no version"})`).join(", ");
    throw new Refusal(
      `workspace package.json files disagree on the version: package.json has ${rootVersion}, ${named}`,
    );
  }
  const parsed = parseVersion(rootVersion);
  if (!parsed) throw new Refusal(`package.json's version "${rootVersion}" is not semver X.Y.Z[-prerelease]`);
  return { manifests, version: parsed };
}

function nextVersionOf(
  command: Exclude<Command, { kind: "current" }>,
  current: ReturnType<typeof currentVersion>["version"],
) {
  if (command.kind === "bump") return bumpVersion(current, command.level);
  const next = parseVersion(command.version);
  if (!next)
    throw new Refusal(`"${command.version}" is not a version: expected semver X.Y.Z or X.Y.Z-prerelease (no "v")`);
  if (compareVersions(next, current) <= 0) {
    throw new Refusal(`${command.version} is not greater than the current version ${formatVersion(current)}`);
  }
  return next;
}

async function release(
  args: Args & { command: Exclude<Command, { kind: "current" }> },
  options: MainOptions,
): Promise<void> {
  const { cwd, stdout } = options;
  try {
    git(cwd, ["rev-parse", "--is-inside-work-tree"]);
  } catch {
    throw new Refusal(`${cwd} is not inside a git work tree`);
  }
  const dirty = dirtyPaths(cwd);
  if (dirty.length) {
    const shown = dirty.slice(0, 5).join(", ") + (dirty.length > 5 ? `, … (${dirty.length} in all)` : "");
    throw new Refusal(`the git tree has uncommitted changes (${shown}); commit or stash them first`);
  }
  const { manifests, version: current } = currentVersion(cwd);
  const version = formatVersion(nextVersionOf(args.command, current));
  const tag = `v${version}`;
  if (tagExists(cwd, tag)) throw new Refusal(`the tag ${tag} already exists`);

  const changelogPath = join(cwd, "CHANGELOG.md");
  let changelogText: string;
  try {
    changelogText = readFileSync(changelogPath, "utf8");
  } catch {
    throw new Refusal("there is no CHANGELOG.md at the workspace root");
  }
  const since = lastReleaseTag(cwd);
  let changelog: ReturnType<typeof releaseChangelog>;
  try {
    const date = options.now.toISOString().slice(0, 10);
    changelog = releaseChangelog(changelogText, version, date, () => notesOf(commitMessages(cwd, since)));
  } catch (error) {
    throw new Refusal((error as Error).message);
  }
  // Commit subjects are Markdown nobody formatted (`*x*`, `__init__`): prettier's layout keeps
  // `pnpm format:check` green after a release, with or without the pre-commit hook.
  const formatted = await format(changelog.changelog, {
    ...(await resolveConfig(changelogPath)),
    filepath: changelogPath,
  });
  const writes = [
    ...manifests.map((m) => ({ path: m.path, before: m.text, after: withVersion(m.text, version) })),
    { path: "CHANGELOG.md", before: changelogText, after: formatted },
  ];
  const message = `chore(release): ${tag}`;
  const source = changelog.fromCommits ? `from the commits since ${since ?? "the first commit"}` : "from [Unreleased]";

  stdout.write(`${formatVersion(current)} → ${version}${args.dryRun ? " (dry run: nothing written)" : ""}\n`);
  stdout.write(`## [${version}] ${source}:\n\n${changelog.notes}\n`);
  if (args.dryRun) {
    stdout.write(
      `would write ${writes.map((w) => w.path).join(", ")}; commit "${message}"${args.tag ? `; tag ${tag}` : ""}\n`,
    );
    return;
  }

  for (const w of writes) writeFileSync(join(cwd, w.path), w.after);
  const paths = writes.map((w) => w.path);
  try {
    git(cwd, ["add", "--", ...paths]);
    git(cwd, ["commit", "--quiet", "-m", message]);
  } catch (error) {
    // A refusing pre-commit hook or a missing git identity: put the tree back as it was.
    for (const w of writes) writeFileSync(join(cwd, w.path), w.before);
    git(cwd, ["reset", "--quiet", "--", ...paths]);
    throw new Refusal(`git commit failed, nothing changed: ${gitMessage(error)}`);
  }
  stdout.write(`wrote ${paths.length - 1} package.json files and CHANGELOG.md; committed "${message}"\n`);
  if (args.tag) {
    git(cwd, ["tag", "--annotate", tag, "-m", tag]);
    stdout.write(`tagged ${tag}; publish it with: git push --atomic origin HEAD ${tag}\n`);
  } else {
    stdout.write(`tag it when ready with: git tag --annotate ${tag} -m ${tag}\n`);
  }
}

function gitMessage(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === "string" && stderr.trim() ? stderr : (error as Error).message;
  return text.trim();
}

/** The exit code: 0 done, 1 refused (nothing written), 2 bad usage. */
export async function main(argv: string[], options: MainOptions): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    options.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    if (args.command.kind === "current") {
      const version = readManifests(options.cwd)[0]!.version;
      if (version === undefined) throw new Refusal("package.json has no version field");
      options.stdout.write(`${version}\n`);
    } else {
      await release({ ...args, command: args.command }, options);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    options.stderr.write(`release:version: ${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    now: new Date(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
