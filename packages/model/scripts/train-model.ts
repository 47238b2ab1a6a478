import { parseArgs } from "node:util";
import { loadPriceFile, toModelVersion, trainFairPriceModel } from "../src/index.js";
import { openRegistry } from "./open-registry.js";
import { cliArgs, fromTypedFolder, runCli } from "./run-cli.js";

const USAGE = "usage: pnpm model:train --prices FILE.csv [--card-index cards_index.csv] [--promote]";

/**
 * Trains on a price file (scored on its latest dates, then refit on all of them), checks the ONNX
 * export against the trees, and registers the version: STAGING, or PRODUCTION with --promote.
 */
runCli("model:train", async () => {
  const { values } = parseArgs({
    args: cliArgs(),
    options: { prices: { type: "string" }, "card-index": { type: "string" }, promote: { type: "boolean" } },
    strict: true,
  });
  if (!values.prices) throw new Error(`--prices is required\n${USAGE}`);
  const cardIndex = values["card-index"] ? fromTypedFolder(values["card-index"]) : undefined;
  const { data, rejectedRows, sources } = await loadPriceFile(fromTypedFolder(values.prices), cardIndex);
  let reported = 0;
  const model = trainFairPriceModel(data, {
    sources,
    refit: "all",
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
    const version = await registry.register(newVersion, { stage: values.promote ? "PRODUCTION" : "STAGING" });
    const summary = {
      id: version.id,
      version: version.version,
      stage: version.stage,
      trees: model.ensemble.trees.length,
      onnxMaxAbsDiff,
      rejectedRows,
      trainingSummary: version.trainingSummary,
      metrics: version.metrics,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await close();
  }
});
