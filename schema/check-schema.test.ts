import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { USAGE, main, type CheckIo } from "./check-schema.js";
import { SCHEMA_DIR, composeSupergraph } from "./compose-supergraph.js";

const ROOT = dirname(SCHEMA_DIR);

/** Runs the check in this process and keeps what it printed. */
async function check(argv: string[], io: Partial<CheckIo> = {}) {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (text) => (out += text),
    err: (text) => (err += text),
    env: {},
    ...io,
  });
  return { code, out, err };
}

/** The repository's supergraph as it would compose if pricing's Card still had `legacyCode`. */
function supergraphWithLegacyField(dir: string): string {
  const pricing = readFileSync(join(ROOT, "subgraphs/pricing/schema.graphql"), "utf8");
  const card = 'type Card @key(fields: "id") {';
  expect(pricing).toContain(card);
  writeFileSync(join(dir, "pricing.graphql"), pricing.replace(card, `${card}\n  legacyCode: String`));
  const config = readFileSync(join(SCHEMA_DIR, "supergraph.local.yaml"), "utf8")
    .replace("../subgraphs/pricing/schema.graphql", join(dir, "pricing.graphql"))
    .replaceAll("../subgraphs/", `${ROOT}/subgraphs/`);
  writeFileSync(join(dir, "supergraph.base.yaml"), config);
  return composeSupergraph("supergraph.base.yaml", dir).sdl;
}

/** Whether schema/supergraph.graphql differs from its committed version (a schema change under way). */
const uncommitted = (() => {
  try {
    execFileSync("git", ["-C", ROOT, "diff", "--quiet", "HEAD", "--", "schema/supergraph.graphql"]);
    return false;
  } catch {
    return true;
  }
})();

describe("pnpm schema:check on this repository", () => {
  it.skipIf(uncommitted)(
    "finds the supergraphs composed and up to date, and nothing changed against HEAD",
    async () => {
      const { code, out, err } = await check(["--base", "HEAD", "--markdown"]);
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toContain("The supergraphs compose, and the committed files are up to date");
      expect(out).toContain("No schema changes against HEAD");
      expect(out).toContain("### Schema changes against `HEAD`");
    },
  );
});

describe("pnpm schema:check --base", () => {
  const repo = mkdtempSync(join(tmpdir(), "schema-check-"));
  const summary = join(repo, "..", `${repo.split("/").pop()}-summary.md`);
  // A repository of its own: the shared one gets no commits or refs from tests.
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
      stdio: "ignore",
    });

  beforeAll(() => {
    const base = supergraphWithLegacyField(mkdtempSync(join(tmpdir(), "schema-base-")));
    git("init", "-q");
    writeFileSync(join(repo, "README.md"), "before the supergraph\n");
    git("add", "README.md");
    git("commit", "-q", "--no-gpg-sign", "-m", "first");
    mkdirSync(join(repo, "schema"));
    writeFileSync(join(repo, "schema/supergraph.graphql"), base);
    git("add", "schema/supergraph.graphql");
    git("commit", "-q", "--no-gpg-sign", "-m", "supergraph with Card.legacyCode");
    writeFileSync(join(repo, "schema/supergraph.graphql"), composeSupergraph("supergraph.local.yaml").sdl);
    git("commit", "-q", "--no-gpg-sign", "-am", "the supergraph as it is now");
  });

  it("passes with nothing to report against the same supergraph", async () => {
    const { code, out, err } = await check(["--base", "HEAD"], { repo });
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain("No schema changes against HEAD");
  });

  it("fails on a field the base had and lists it as breaking", async () => {
    const { code, out, err } = await check(["--base", "HEAD~1"], { repo });
    expect(code).toBe(1);
    expect(out).toMatch(
      /Schema changes against HEAD~1: 1 breaking, 0 dangerous, 0 safe\nBreaking:\n {2}✖ .*legacyCode/,
    );
    expect(out).toContain("(Card.legacyCode)");
    expect(err).toBe("1 breaking change(s): pass --allow-breaking if they are intended\n");
  });

  it("passes with --allow-breaking, saying so, and appends the list to the job summary", async () => {
    const { code, out } = await check(["--base", "HEAD~1", "--allow-breaking"], {
      repo,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(code).toBe(0);
    expect(out).toContain("Breaking changes allowed (--allow-breaking): 1");
    expect(out).not.toContain("###");
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain("#### Breaking\n\n- ");
    expect(markdown).toContain("`Card.legacyCode`");
    expect(markdown).toContain("The breaking changes were allowed (`--allow-breaking`).");
  });

  it("gives a notice and passes when the base has no supergraph yet", async () => {
    const { code, out } = await check(["--base", "HEAD~2"], { repo });
    expect(code).toBe(0);
    expect(out).toContain("Notice: HEAD~2 has no schema/supergraph.graphql, so there is nothing to compare with");
  });
});

describe("stale or broken supergraphs", () => {
  it("fails when a committed supergraph is not what composition produces", async () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-stale-"));
    writeFileSync(join(dir, "a.graphql"), "type Query { price: Int }");
    writeFileSync(
      join(dir, "supergraph.test.yaml"),
      'output: out.graphql\nsubgraphs:\n  a: { routing_url: "http://a/graphql", schema: { file: a.graphql } }\n',
    );
    writeFileSync(join(dir, "out.graphql"), "an old supergraph\n");
    const stale = await check([], { schemaDir: dir });
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/^Stale supergraph: .*out\.graphql — run `pnpm compose` and commit the result\n$/);

    writeFileSync(join(dir, "out.graphql"), composeSupergraph("supergraph.test.yaml", dir).sdl);
    expect((await check([], { schemaDir: dir })).code).toBe(0);

    writeFileSync(join(dir, "b.graphql"), "type Query { price: String }");
    writeFileSync(
      join(dir, "supergraph.test.yaml"),
      `${readFileSync(join(dir, "supergraph.test.yaml"), "utf8")}  b: { routing_url: "http://b/graphql", schema: { file: b.graphql } }\n`,
    );
    const broken = await check([], { schemaDir: dir });
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/supergraph\.test\.yaml does not compose:[^]*Query\.price/);
  });
});

describe("bad usage exits 2 with the usage line", () => {
  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--base"], /argument missing/],
    [["--base=-o"], /--base needs a git ref/],
    [["origin/main"], /Unexpected argument 'origin\/main'/],
    [["--base", "no-such-ref"], /--base no-such-ref: no such commit/],
  ])("%j", async (argv, reason) => {
    const { code, out, err } = await check(argv);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(reason);
    expect(err).toContain(`\n${USAGE}\n`);
  });

  it("as a command, too (the one process these tests start)", () => {
    const run = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["schema/check-schema.ts", "--bogus"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(USAGE);
  });
});
