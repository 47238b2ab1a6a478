import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { entryOf } from "../../ops/build/build-dist.js";

// No Docker engine runs here: the Dockerfile is read for what item 4 of issue 16 promises, and
// production-build.test.ts runs its build step.
const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string;
  steps: Instruction[];
}

/** Instructions by stage, continuation lines joined, comments dropped, ARGs before FROM substituted. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, " ").split("\n");
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))) {
    const [op = "", ...rest] = line.split(/\s+/);
    const argsText = rest.join(" ");
    if (op === "ARG" && stages.length === 0) {
      const [key = "", value = ""] = argsText.split("=");
      args.set(key, value);
    } else if (op === "FROM") {
      const [image = "", , name = ""] = argsText
        .replace(/\$\{(\w+)\}/g, (_, key: string) => args.get(key) ?? "")
        .split(/\s+/);
      stages.push({ from: image, name, steps: [] });
    } else stages.at(-1)?.steps.push({ op, args: argsText });
  }
  return stages;
}

const stages = parseDockerfile(read("ops/Dockerfile"));
const build = stages.find((stage) => stage.name === "build")!;
const runtime = stages.at(-1)!;
const last = (stage: Stage, op: string) => stage.steps.filter((step) => step.op === op).at(-1);
const exec = (instruction: Instruction | undefined) => JSON.parse(instruction?.args ?? "null") as string[];

describe("ops/Dockerfile", () => {
  it("builds in one stage and runs in another, both on Node 22 LTS pinned by exact version", () => {
    expect(stages.map((stage) => stage.name)).toEqual(["build", "runtime"]);
    for (const stage of stages) expect(stage.from).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    expect(runtime.from).toBe(build.from);
    // Dependabot reads FROM lines only (it does not substitute ARGs): the image must be written there.
    expect(read("ops/Dockerfile").match(/^FROM node:\S+ AS \w+$/gm)).toHaveLength(2);
  });

  it("copies the lockfile and every workspace manifest, and installs, before the source", () => {
    const copyAll = build.steps.findIndex((step) => step.op === "COPY" && step.args === ". .");
    const install = build.steps.findIndex((step) => step.args === "pnpm install --frozen-lockfile");
    expect(install).toBeGreaterThan(-1);
    expect(install).toBeLessThan(copyAll);
    const before = build.steps
      .slice(0, install)
      .filter((step) => step.op === "COPY")
      .map((step) => step.args)
      .join(" ");
    expect(before).toContain("pnpm-lock.yaml");
    expect(before).toContain("pnpm-workspace.yaml");
    const workspace = parse(read("pnpm-workspace.yaml")) as { packages: string[] };
    for (const pattern of workspace.packages) {
      const parent = pattern.slice(0, -2);
      const dirs = pattern.endsWith("/*")
        ? readdirSync(join(ROOT, parent)).map((name) => `${parent}/${name}`)
        : [pattern];
      for (const dir of dirs.filter((d) => existsSync(join(ROOT, d, "package.json")))) {
        expect(before, dir).toContain(`${dir}/package.json`);
      }
    }
  });

  it("runs the tested build script, then ships its output only", () => {
    expect(build.steps.some((step) => step.op === "RUN" && step.args.includes("ops/build/build-dist.ts /dist"))).toBe(
      true,
    );
    const copies = runtime.steps.filter((step) => step.op === "COPY");
    expect(copies.map((step) => step.args)).toEqual(["--from=build /dist/app ./"]);
  });

  it("runs the compiled gateway with plain node, as a non-root user, under tini, with a HEALTHCHECK", () => {
    expect(last(runtime, "USER")?.args).toMatch(/^(node|\d{3,})$/);
    expect(exec(last(runtime, "ENTRYPOINT"))).toEqual(["/usr/bin/tini", "--"]);
    expect(runtime.steps.some((step) => step.op === "RUN" && /apt-get install .*\btini\b/.test(step.args))).toBe(true);
    expect(exec(last(runtime, "CMD"))).toEqual(["node", entryOf("gateway")]);
    const healthcheck = last(runtime, "HEALTHCHECK")?.args ?? "";
    expect(healthcheck).toMatch(/CMD \["node", "\/app\/healthcheck\.mjs", "\/health"\]$/);
    expect(last(runtime, "ENV")?.args).toContain("NODE_ENV=production");
  });

  it("keeps secrets, history, local state, dependencies and tests out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim());
    for (const entry of [".env*", ".git", "node_modules", "**/node_modules", ".pokewatch", "**/*.test.ts", "tests/*"]) {
      expect(ignored).toContain(entry);
    }
    expect(ignored.filter((line) => line.startsWith("!"))).toEqual(["!tests/package.json"]);
  });
});
