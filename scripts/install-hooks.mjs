// @ts-check
// `pnpm install` runs this through the root `prepare` script (after checking there is a .git here):
// it installs lefthook.yml's git hooks into this checkout. Where hooks would guard nothing it says
// why and does nothing; a `lefthook install` that fails in a real checkout fails the install, so a
// contributor is never left without hooks unawares. Plain JavaScript: it must run before, and
// without, the TypeScript tooling (a production install has no tsx).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import process from "node:process";

const isSet = (/** @type {string | undefined} */ value) => !!value && value !== "0" && value !== "false";

/** @returns {string | null} why hooks are not installed here, or null to install them */
function skipReason() {
  if (process.env.LEFTHOOK === "0" || process.env.LEFTHOOK === "false") return "LEFTHOOK=0";
  if (isSet(process.env.CI)) return "CI is set (CI runs the checks itself; nobody commits there)";
  return null;
}

/** @returns {string | null} lefthook's entry, or null when devDependencies are not installed */
function lefthookEntry() {
  try {
    return createRequire(import.meta.url).resolve("lefthook");
  } catch {
    return null;
  }
}

const say = (/** @type {string} */ line) => process.stdout.write(`prepare: ${line}\n`);

const reason = skipReason();
const entry = reason ? null : lefthookEntry();
if (reason) {
  say(`${reason}, git hooks not installed`);
} else if (!entry) {
  say("lefthook is not installed (a production install?), git hooks not installed");
} else {
  const result = spawnSync(process.execPath, [entry, "install"], { stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write(
      "prepare: `lefthook install` failed (above); fix it, or install with LEFTHOOK=0 to go without hooks\n",
    );
  }
  process.exitCode = result.status ?? 1;
}
