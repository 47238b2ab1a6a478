import { checkOnnxParity } from "../onnx/check-onnx-parity.js";
import { exportEnsembleToOnnx } from "../onnx/export-onnx.js";
import type { NewModelVersion } from "../registry/model-version.js";
import type { PriceDataset } from "./price-dataset.js";
import type { FairPriceModel } from "./train-fair-price-model.js";

/** Rows checked for ONNX parity before a model may be registered. */
const PARITY_ROWS = 10_000;

/** Exports the model to ONNX, proves the export matches the trees on real rows, and packs it for the registry. */
export async function toModelVersion(
  model: FairPriceModel,
  data: PriceDataset,
): Promise<{ newVersion: NewModelVersion; onnxMaxAbsDiff: number }> {
  const artifact = exportEnsembleToOnnx(model.ensemble, {
    docString: `PokeWatch fair price: ln(7-day forward median / price) from ${model.features.length} features`,
  });
  const rows = Math.min(PARITY_ROWS, data.rows);
  const onnxMaxAbsDiff = await checkOnnxParity(
    model.ensemble,
    artifact,
    data.features.subarray(data.features.length - rows * model.ensemble.featureCount),
    rows,
  );
  return {
    newVersion: {
      artifact,
      features: model.features,
      trainingSummary: model.trainingSummary,
      metrics: model.metrics,
      interval: model.interval,
    },
    onnxMaxAbsDiff,
  };
}
