/**
 * Builds packages/market/data/catalog.json, the whole English catalog the project ships, in the
 * compact format of src/catalog/compact-catalog.ts.
 *
 *   pnpm data:catalog                                   from pokemontcg.io (POKEMONTCG_API_URL, POKEMONTCG_API_KEY)
 *   pnpm data:catalog --from ../shared/data/catalog     from a local copy, offline
 *   … [--sets base1,sv3pt5,…] [--out FILE]
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildCatalogData } from "../src/catalog/catalog-build.js";
import { createDirectoryCatalogSource } from "../src/catalog/catalog-directory.js";
import { encodeCatalog } from "../src/catalog/compact-catalog.js";
import { createPokemonTcgCatalogSource } from "../src/providers/pokemontcg-catalog-client.js";

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    sets: { type: "string" },
    out: { type: "string", default: join(import.meta.dirname, "../data/catalog.json") },
  },
});

// Paths are taken from where the command was typed (pnpm runs scripts from the workspace root).
const typedIn = process.env.INIT_CWD ?? process.cwd();
const out = resolve(typedIn, values.out);

try {
  const source = values.from
    ? createDirectoryCatalogSource(resolve(typedIn, values.from))
    : createPokemonTcgCatalogSource({
        ...(process.env.POKEMONTCG_API_URL && { baseUrl: process.env.POKEMONTCG_API_URL }),
        ...(process.env.POKEMONTCG_API_KEY && { apiKey: process.env.POKEMONTCG_API_KEY }),
      });
  const setIds = values.sets
    ?.split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  process.stderr.write(`reading the catalog from ${source.description}\n`);
  const data = await buildCatalogData(source, { setIds, progress: (line) => process.stderr.write(`  ${line}\n`) });
  const text = `${JSON.stringify(encodeCatalog(data))}\n`;
  writeFileSync(out, text);
  const bytes = Buffer.byteLength(text);
  process.stdout.write(
    `wrote ${data.cards.length} cards in ${data.sets.length} sets to ${out} (${bytes} bytes, ${gzipSync(text).length} gzipped)\n`,
  );
} catch (error) {
  process.stderr.write(`data:catalog: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
