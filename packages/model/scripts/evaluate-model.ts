import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { evaluatePriceFile } from "../src/index.js";
import { openRegistry } from "./open-registry.js";

const USAGE = "usage: pnpm model:evaluate --prices FILE.csv [--model mv_…] [--card-index cards_index.csv]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { prices: { type: "string" }, model: { type: "string" }, "card-index": { type: "string" } },
    strict: true,
  });
  if (!values.prices) throw new Error(`--prices is required\n${USAGE}`);
  // pnpm runs scripts from the workspace root; paths are meant from where the user typed them.
  const from = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const prices = from(values.prices);
  const cardIndex = values["card-index"] ? from(values["card-index"]) : undefined;
  const model = values.model ? await loadModel(values.model) : undefined;
  const report = await evaluatePriceFile({ prices, cardIndex, model });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function loadModel(id: string) {
  const { registry, close } = await openRegistry();
  try {
    const version = await registry.get(id);
    if (!version) throw new Error(`no model version ${id} in the registry`);
    return { version, artifact: await registry.loadArtifact(version) };
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`model:evaluate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
