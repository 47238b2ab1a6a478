import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadBundledCatalog, readCardIndexCsv, readPriceCsvFile } from "@pokewatch/market";
import {
  buildPriceDataset,
  catalogAttributes,
  seriesFromPoints,
  toModelVersion,
  trainFairPriceModel,
} from "../src/index.js";
import { openRegistry } from "./open-registry.js";

const USAGE = "usage: pnpm model:train --prices FILE.csv [--card-index cards_index.csv] [--promote]";

/** Trains on a price file, checks the ONNX export, and registers the version (STAGING, or PRODUCTION with --promote). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { prices: { type: "string" }, "card-index": { type: "string" }, promote: { type: "boolean" } },
    strict: true,
  });
  if (!values.prices) throw new Error(`--prices is required\n${USAGE}`);
  // pnpm runs scripts from the workspace root; paths are meant from where the user typed them.
  const from = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const prices = from(values.prices);
  const cardIndex = values["card-index"] ? from(values["card-index"]) : undefined;
  const { points } = await readPriceCsvFile(prices, { defaultSource: basename(prices) });
  const index = cardIndex ? readCardIndexCsv(cardIndex) : undefined;
  const data = buildPriceDataset(seriesFromPoints(points), catalogAttributes(loadBundledCatalog(), index));
  let reported = 0;
  const model = trainFairPriceModel(data, {
    sources: [basename(prices)],
    onProgress: (stage, grown, total) => {
      if (grown === total || grown - reported >= 25) {
        reported = grown === total ? 0 : grown;
        process.stderr.write(`${stage}: ${grown}/${total} trees\n`);
      }
    },
  });
  const { registry, close } = await openRegistry();
  try {
    const { newVersion, onnxMaxAbsDiff } = await toModelVersion(model, data);
    const version = await registry.register(newVersion, {
      stage: values.promote ? "PRODUCTION" : "STAGING",
    });
    process.stdout.write(
      `${JSON.stringify({ id: version.id, version: version.version, stage: version.stage, trees: model.ensemble.trees.length, onnxMaxAbsDiff, metrics: version.metrics }, null, 2)}\n`,
    );
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`model:train: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
