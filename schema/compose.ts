/**
 * `pnpm compose [network…]`: writes schema/supergraph*.graphql from the subgraph SDLs, one per
 * supergraph.<network>.yaml (all of them by default). Exits 1 with the reasons when one does not compose.
 * The docker network's supergraph is also copied into ops/k8s/base, where Kustomize's
 * configMapGenerator can read it (it reads only files inside the kustomization's folder).
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CompositionError, composeSupergraph, listComposeConfigs } from "./compose-supergraph.js";

const wanted = process.argv.slice(2);
const configs = wanted.length ? wanted.map((network) => `supergraph.${network}.yaml`) : listComposeConfigs();
try {
  for (const config of configs) {
    const { outputPath, sdl } = composeSupergraph(config);
    writeFileSync(outputPath, sdl);
    process.stdout.write(`${config} → ${relative(process.cwd(), outputPath)}\n`);
    if (config === "supergraph.docker.yaml") {
      const copy = fileURLToPath(new URL("../ops/k8s/base/supergraph.graphql", import.meta.url));
      writeFileSync(copy, sdl);
      process.stdout.write(`${config} → ${relative(process.cwd(), copy)}\n`);
    }
  }
} catch (error) {
  if (!(error instanceof CompositionError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
