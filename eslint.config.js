// @ts-check
import js from "@eslint/js";
import pluginSecurity from "eslint-plugin-security";
import tseslint from "typescript-eslint";

/** Tests and the helpers only tests import. */
const TEST_FILES = ["**/*.test.ts", "tests/**/*.ts", "**/testing/**/*.ts"];
/** Developer and build tools: package scripts, benchmarks, ops, the schema composer and check. */
const TOOL_FILES = ["**/scripts/**/*.ts", "bench/**/*.ts", "ops/**/*.{ts,mjs}", "schema/*.ts", ".ci/**/*.ts"];

export default tseslint.config(
  { ignores: ["**/node_modules/**", ".pokewatch/**", "bench/results/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  pluginSecurity.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/only-throw-error": "off",
      "no-console": "error",
    },
  },
  {
    files: ["**/*.test.ts", "tests/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
  {
    rules: {
      // Every Record and array lookup is typed (noUncheckedIndexedAccess); the rule flags each one, hundreds in all.
      "security/detect-object-injection": "off",
    },
  },
  {
    files: [...TEST_FILES, ...TOOL_FILES],
    rules: {
      // These read the repository's own files and the paths a developer passes; no client names a file here.
      "security/detect-non-literal-fs-filename": "off",
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests match output against patterns built from their own fixture ids; no outside input reaches them.
      "security/detect-non-literal-regexp": "off",
    },
  },
  { files: ["eslint.config.js", "ops/**/*.mjs", "scripts/**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
