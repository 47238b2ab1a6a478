// Turns eslint's JSON report into GitHub workflow commands, one annotation per problem on the file
// and line in the pull request's diff; eslint 9 dropped its built-in GitHub formatter.
//   tsx .ci/eslint-annotations.ts REPORT.json
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

interface LintMessage {
  ruleId: string | null;
  severity: 1 | 2;
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}
export interface LintResult {
  filePath: string;
  messages: LintMessage[];
}

// Workflow command syntax: data escapes %, CR and LF; properties also , and :.
const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** One `::error`/`::warning` line per problem, paths relative to `root` as GitHub expects. */
export function toAnnotations(results: LintResult[], root: string): string[] {
  return results.flatMap((result) =>
    result.messages.map((m) => {
      const where = [
        `file=${escapeProperty(relative(root, result.filePath))}`,
        ...(m.line ? [`line=${m.line}`] : []),
        ...(m.column ? [`col=${m.column}`] : []),
        ...(m.endLine ? [`endLine=${m.endLine}`] : []),
        ...(m.endColumn ? [`endColumn=${m.endColumn}`] : []),
        ...(m.ruleId ? [`title=${escapeProperty(m.ruleId)}`] : []),
      ];
      return `::${m.severity === 2 ? "error" : "warning"} ${where.join(",")}::${escapeData(m.message)}`;
    }),
  );
}

if (process.argv[1]?.endsWith("eslint-annotations.ts")) {
  const report = process.argv[2];
  // eslint writes no report when it crashes (a config error): its own stderr already says why.
  if (report && existsSync(report) && readFileSync(report, "utf8").trim()) {
    const results = JSON.parse(readFileSync(report, "utf8")) as LintResult[];
    const lines = toAnnotations(results, process.cwd());
    process.stdout.write(lines.map((line) => `${line}\n`).join(""));
    process.stdout.write(`eslint: ${lines.length} problem(s)\n`);
  }
}
