/**
 * `pnpm schema:check [--base <git-ref>] [--allow-breaking] [--markdown]`: the supergraphs compose
 * and the committed files are what composition produces; with `--base`, the public API schema is
 * compared with the base's committed schema/supergraph.graphql and a breaking change fails the
 * check unless `--allow-breaking`. Exits 0 when all is well, 1 when a check fails, 2 on bad usage.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CompositionError, SCHEMA_DIR, composeSupergraph, listComposeConfigs } from "./compose-supergraph.js";
import { changesAsMarkdown, changesAsText, diffSupergraphs } from "./schema-diff.js";

export const USAGE = "usage: pnpm schema:check [--base <git-ref>] [--allow-breaking] [--markdown]";
const ROOT = dirname(SCHEMA_DIR);
/** The supergraph clients are served: the base commit's file and the config it is composed from. */
const BASE_FILE = "schema/supergraph.graphql";
const SERVED_CONFIG = "supergraph.local.yaml";

export interface CheckIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** The git repository `--base` names a commit of. @default this repository */
  repo?: string;
  /** The folder of compose configs and committed supergraphs. @default schema/ */
  schemaDir?: string;
}

class UsageError extends Error {}

function optionsOf(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        base: { type: "string" },
        "allow-breaking": { type: "boolean", default: false },
        markdown: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { base } = values;
  // The ref becomes a git argument: one starting with "-" would be read as an option.
  if (base !== undefined && (base === "" || base.startsWith("-"))) {
    throw new UsageError(`--base needs a git ref (a branch, tag or commit), got ${JSON.stringify(base)}`);
  }
  return { base, allowBreaking: values["allow-breaking"], markdown: values.markdown };
}

function git(repo: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** The base's supergraph, or null when that commit has none (the pull request that adds it). */
function baseSupergraph(repo: string, ref: string): string | null {
  const commit = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])?.trim();
  if (!commit) throw new UsageError(`--base ${ref}: no such commit in ${repo} (fetch it first in a shallow clone)`);
  return git(repo, ["show", `${commit}:${BASE_FILE}`]) ?? null;
}

/**
 * Composes every config in `dir`; returns the committed files that differ from what the subgraph
 * SDLs compose to (every copy of each) and the supergraph clients are served.
 */
function composeAll(dir: string): { stale: string[]; served: string | undefined } {
  const stale: string[] = [];
  let served: string | undefined;
  for (const config of listComposeConfigs(dir)) {
    const { outputPath, copyPaths, sdl } = composeSupergraph(config, dir);
    if (config === SERVED_CONFIG) served = sdl;
    for (const path of [outputPath, ...copyPaths]) {
      let committed: string | undefined;
      try {
        committed = readFileSync(path, "utf8");
      } catch {
        committed = undefined;
      }
      if (committed !== sdl) stale.push(relative(ROOT, path));
    }
  }
  return { stale, served };
}

export async function main(argv: string[], io: CheckIo): Promise<number> {
  let options;
  let base: string | null | undefined;
  try {
    options = optionsOf(argv);
    base = options.base === undefined ? undefined : baseSupergraph(io.repo ?? ROOT, options.base);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n${USAGE}\n`);
    return 2;
  }

  let stale;
  let served;
  try {
    ({ stale, served } = composeAll(io.schemaDir ?? SCHEMA_DIR));
  } catch (error) {
    if (!(error instanceof CompositionError)) throw error;
    io.err(`${error.message}\n`);
    return 1;
  }
  if (stale.length > 0) io.err(`Stale supergraph: ${stale.join(", ")} — run \`pnpm compose\` and commit the result\n`);
  else io.out("The supergraphs compose, and the committed files are up to date\n");

  let breaking = false;
  let markdown = stale.length > 0 ? `**Stale supergraph:** ${stale.join(", ")} — run \`pnpm compose\`\n\n` : "";
  if (options.base !== undefined && base === null) {
    io.out(`Notice: ${options.base} has no ${BASE_FILE}, so there is nothing to compare with\n`);
    markdown += `### Schema changes against \`${options.base}\`\n\n${options.base} has no \`${BASE_FILE}\` yet.\n`;
  } else if (options.base !== undefined && base) {
    const head = served ?? composeSupergraph(SERVED_CONFIG, io.schemaDir).sdl;
    const changes = await diffSupergraphs(base, head);
    io.out(changesAsText(changes, options.base));
    markdown += changesAsMarkdown(changes, options.base);
    if (changes.breaking.length > 0 && options.allowBreaking) {
      io.out(`Breaking changes allowed (--allow-breaking): ${changes.breaking.length}\n`);
      markdown += `\nThe breaking changes were allowed (\`--allow-breaking\`).\n`;
    } else if (changes.breaking.length > 0) {
      breaking = true;
      io.err(`${changes.breaking.length} breaking change(s): pass --allow-breaking if they are intended\n`);
    }
  }

  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (markdown && summary) appendFileSync(summary, `${markdown}\n`);
  else if (markdown && options.markdown) io.out(markdown);
  return stale.length > 0 || breaking ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: CheckIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
