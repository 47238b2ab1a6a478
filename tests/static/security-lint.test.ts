import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

// The plugin ships no types; only its recommended rule list is read.
const pluginSecurity = createRequire(import.meta.url)("eslint-plugin-security") as {
  configs: { recommended: { rules: Linter.RulesRecord } };
};
const SECURITY_RULES = Object.keys(pluginSecurity.configs.recommended.rules);

/**
 * The rules eslint.config.js turns off, and for which files: each with its reason there. Anything
 * else off is a mistake, and adding to this list is a decision a reviewer sees.
 */
const OFF: Record<string, string[]> = {
  "gateway/src/http/cors.ts": ["security/detect-object-injection"],
  "gateway/src/http/cors.test.ts": [
    "security/detect-object-injection",
    "security/detect-non-literal-fs-filename",
    "security/detect-non-literal-regexp",
  ],
  "subgraphs/keys/scripts/keys-cli.ts": ["security/detect-object-injection", "security/detect-non-literal-fs-filename"],
  "schema/check-schema.ts": ["security/detect-object-injection", "security/detect-non-literal-fs-filename"],
};

const severity = (entry: Linter.RuleEntry | undefined) => (Array.isArray(entry) ? entry[0] : entry);
const isOn = (entry: Linter.RuleEntry | undefined) => ![undefined, 0, "off"].includes(severity(entry));

describe("eslint-plugin-security in eslint.config.js", () => {
  it("knows the plugin's recommended rules", () => {
    expect(SECURITY_RULES).toEqual(
      expect.arrayContaining(["security/detect-unsafe-regex", "security/detect-child-process"]),
    );
    expect(SECURITY_RULES.length).toBeGreaterThanOrEqual(14);
  });

  it.each(Object.entries(OFF))("applies to %s, all rules on but the ones listed", async (file, off) => {
    const config = (await eslint.calculateConfigForFile(file)) as Linter.Config;
    const on = SECURITY_RULES.filter((rule) => isOn(config.rules?.[rule]));
    expect(on).toEqual(SECURITY_RULES.filter((rule) => !off.includes(rule)));
  });

  it("flags unsafe code in a service's source", async () => {
    // Type information is not what these rules need; without it the check takes milliseconds.
    const untyped = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
    const code = [
      'import { exec } from "node:child_process";',
      'import { readFileSync } from "node:fs";',
      "export function handle(input: string, secret: string): string {",
      "  if (/^(a+)+$/.test(input)) return readFileSync(input, 'utf8');",
      "  if (secret === input) return new RegExp(input).source;",
      "  exec(`ls ${input}`);",
      "  return input;",
      "}",
      "",
    ].join("\n");
    const [result] = await untyped.lintText(code, { filePath: "gateway/src/unsafe-sample.ts" });
    expect(result!.messages.map((message) => message.ruleId).sort()).toEqual([
      "security/detect-child-process",
      "security/detect-non-literal-fs-filename",
      "security/detect-non-literal-regexp",
      "security/detect-possible-timing-attacks",
      "security/detect-unsafe-regex",
    ]);
  });
});
