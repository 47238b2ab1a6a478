import { parseArgs } from "node:util";
import { evaluatePriceFile, ModelVersionNotFoundError } from "../src/index.js";
import { openRegistry } from "./open-registry.js";
import { cliArgs, fromTypedFolder, runCli } from "./run-cli.js";

const USAGE = "usage: pnpm model:evaluate --prices FILE.csv [--model mv_…] [--card-index cards_index.csv]";

runCli("model:evaluate", async () => {
  const { values } = parseArgs({
    args: cliArgs(),
    options: { prices: { type: "string" }, model: { type: "string" }, "card-index": { type: "string" } },
    strict: true,
  });
  if (!values.prices) throw new Error(`--prices is required\n${USAGE}`);
  const model = values.model ? await loadModel(values.model) : undefined;
  const report = await evaluatePriceFile({
    prices: fromTypedFolder(values.prices),
    cardIndex: values["card-index"] ? fromTypedFolder(values["card-index"]) : undefined,
    model,
  });
  if (!report.holdOut) {
    process.stderr.write(
      `model:evaluate: ${report.model} was trained on prices up to ${model?.version.trainingSummary.to}, inside the test dates from ${report.split.testFrom}: this is not a hold-out score\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
});

async function loadModel(id: string) {
  const { registry, close } = await openRegistry();
  try {
    const version = await registry.get(id);
    if (!version) throw new ModelVersionNotFoundError(id);
    return { version, artifact: await registry.loadArtifact(version) };
  } finally {
    await close();
  }
}
