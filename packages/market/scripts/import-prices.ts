/**
 * Imports a price CSV (the format of ../shared/data/prices) into the price store and prints the
 * import report as JSON. Re-importing a file changes nothing.
 *
 *   pnpm data:import --prices FILE.csv [--source NAME]
 *
 * Rows without a source of their own get NAME, by default the file's name without its extension, so
 * files of different sources never overwrite each other's prices.
 *
 * Writes to DATABASE_URL when set, else to the embedded database in DATA_DIR (default .pokewatch/).
 * Exit code 0 when the file was read, even if some rows were rejected; 1 when it could not be.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { databaseEnvShape, createDatabase, runMigrations } from "@pokewatch/kit";
import { importPriceCsv, marketMigrations, PriceCsvError } from "../src/prices/index.js";

const USAGE = "usage: pnpm data:import --prices FILE.csv [--source NAME]";

class UsageError extends Error {}

function readArgs(argv: string[]): { prices: string; source: string | undefined } {
  let values: { prices?: string | undefined; source?: string | undefined };
  try {
    // `pnpm data:import -- --prices f.csv` passes the `--` along; everything after it would be positional.
    ({ values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      options: { prices: { type: "string" }, source: { type: "string" } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.prices) throw new UsageError("--prices FILE.csv is required");
  if (values.source !== undefined && values.source.trim() === "") throw new UsageError("--source must not be blank");
  // pnpm runs scripts from the repository root; a relative path means relative to where it was typed.
  return { prices: resolve(process.env.INIT_CWD ?? process.cwd(), values.prices), source: values.source?.trim() };
}

function readEnv(): { url: string | undefined; dataDir: string } {
  const url = databaseEnvShape.DATABASE_URL.safeParse(process.env.DATABASE_URL);
  const dataDir = databaseEnvShape.DATA_DIR.safeParse(process.env.DATA_DIR);
  const problems = [
    ...(url.success ? [] : [`DATABASE_URL: ${url.error.issues[0]?.message}`]),
    ...(dataDir.success ? [] : [`DATA_DIR: ${dataDir.error.issues[0]?.message}`]),
  ];
  if (!url.success || !dataDir.success) throw new Error(`invalid environment: ${problems.join("; ")}`);
  return { url: url.data, dataDir: dataDir.data };
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const db = await createDatabase(readEnv());
  try {
    await runMigrations(db, "market", marketMigrations());
    const report = await importPriceCsv(db, args.prices, { defaultSource: args.source });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`data:import: ${error.message}\n${USAGE}\n`);
  else if (error instanceof PriceCsvError) process.stderr.write(`data:import: ${error.message} [${error.reason}]\n`);
  else process.stderr.write(`data:import: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
