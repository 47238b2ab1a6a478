import { parseArgs } from "node:util";
import { commonEnvShape, connectRedis, createLogger, createRedis, parseEnv } from "@pokewatch/kit";
import { z } from "zod";
import { announceProductionModel, loadPriceFile, toModelVersion, trainFairPriceModel } from "../src/index.js";
import { openRegistry } from "./open-registry.js";
import { cliArgs, fromTypedFolder, runCli } from "./run-cli.js";

const USAGE = "usage: pnpm model:train --prices FILE.csv [--card-index cards_index.csv] [--promote]";

/** Tells serving replicas about a promotion now, rather than at their next registry poll. */
async function announcePromotion(redisUrl: string, versionId: string): Promise<void> {
  const redis = createRedis({ url: redisUrl, logger: createLogger({ name: "model:train", level: "silent" }) });
  try {
    if (await connectRedis(redis)) await announceProductionModel(redis, versionId);
    else process.stderr.write("Redis is unreachable: serving replicas will load the model at their next poll\n");
  } finally {
    redis.disconnect();
  }
}

/**
 * Trains on a price file (scored on its latest dates, then refit on all of them), checks the ONNX
 * export against the trees, and registers the version: STAGING, or PRODUCTION with --promote
 * (announced on Redis when REDIS_URL is set, so serving replicas swap to it at once).
 */
runCli("model:train", async () => {
  const { values } = parseArgs({
    args: cliArgs(),
    options: { prices: { type: "string" }, "card-index": { type: "string" }, promote: { type: "boolean" } },
    strict: true,
  });
  if (!values.prices) throw new Error(`--prices is required\n${USAGE}`);
  const env = parseEnv(z.object({ REDIS_URL: commonEnvShape.REDIS_URL }), {
    REDIS_URL: process.env.REDIS_URL || undefined,
  });
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
    if (version.stage === "PRODUCTION" && env.REDIS_URL) await announcePromotion(env.REDIS_URL, version.id);
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
