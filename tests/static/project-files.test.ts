import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderErrorDocs } from "@pokewatch/kit";
import { stackEnvSchema } from "@pokewatch/stack";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("docs and config files stay true", () => {
  it("docs/errors.md matches the error-code registry (run `pnpm docs:errors` if not)", () => {
    expect(read("docs/errors.md")).toBe(renderErrorDocs());
  });

  it(".env.example lists exactly the variables the services read", () => {
    const listed = new Set([...read(".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(Object.keys(stackEnvSchema.shape).sort());
  });

  it("the README opens with the install-and-start command and the test command, and CI runs that test command", () => {
    const readme = read("README.md");
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = firstBlock.split("\n").filter((line) => line && !line.startsWith("#"));
    expect(commands).toEqual(["npm i -g pnpm@12.4.2 && pnpm install --frozen-lockfile && pnpm start", "pnpm test"]);
    // .ci/run runs `.ci/steps all`, whose test step is that command (ci-workflows.test.ts checks the chain).
    expect(read(".ci/steps")).toMatch(/^\s*pnpm test$/m);
  });

  it("pins pnpm in packageManager to the version the README installs", () => {
    expect(JSON.parse(read("package.json")).packageManager).toBe("pnpm@12.4.2");
  });
});
