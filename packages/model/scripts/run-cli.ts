import { resolve } from "node:path";
import { PriceCsvError } from "@pokewatch/market";
import { isModelInputError, isModelRegistryError } from "../src/index.js";

/**
 * Arguments as typed: `pnpm model:x -- --prices f` passes a literal `--` first, which parseArgs
 * would take for the end of options.
 */
export const cliArgs = (): string[] => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));

/** pnpm runs scripts from the workspace root; paths are meant from where the user typed them. */
export const fromTypedFolder = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);

/** Runs a CLI: a failure prints `name: [CODE] message` (code when the error has one) and exits 1. */
export function runCli(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const code =
      isModelInputError(error) || isModelRegistryError(error)
        ? error.code
        : error instanceof PriceCsvError
          ? error.reason
          : undefined;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: ${code ? `[${code}] ` : ""}${message}\n`);
    process.exitCode = 1;
  });
}
