/**
 * `pnpm compose [network…]`: writes schema/supergraph*.graphql from the subgraph SDLs, one per
 * supergraph.<network>.yaml (all of them by default), and their copies outside schema/ (the docker
 * one in ops/k8s/base). Exits 1 with the reasons when one does not compose.
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { CompositionError, composeSupergraph, listComposeConfigs } from "./compose-supergraph.js";

const wanted = process.argv.slice(2);
const configs = wanted.length ? wanted.map((network) => `supergraph.${network}.yaml`) : listComposeConfigs();
try {
  for (const config of configs) {
    const { outputPath, copyPaths, sdl } = composeSupergraph(config);
    for (const path of [outputPath, ...copyPaths]) {
      writeFileSync(path, sdl);
      process.stdout.write(`${config} → ${relative(process.cwd(), path)}\n`);
    }
  }
} catch (error) {
  if (!(error instanceof CompositionError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
