/**
 * `pnpm compose [network…]`: writes schema/supergraph*.graphql from the subgraph SDLs, one per
 * supergraph.<network>.yaml (all of them by default). Exits 1 with the reasons when one does not compose.
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { CompositionError, composeSupergraph, listComposeConfigs } from "./compose-supergraph.js";

const wanted = process.argv.slice(2);
const configs = wanted.length ? wanted.map((network) => `supergraph.${network}.yaml`) : listComposeConfigs();
try {
  for (const config of configs) {
    const { outputPath, sdl } = composeSupergraph(config);
    writeFileSync(outputPath, sdl);
    process.stdout.write(`${config} → ${relative(process.cwd(), outputPath)}\n`);
  }
} catch (error) {
  if (!(error instanceof CompositionError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
