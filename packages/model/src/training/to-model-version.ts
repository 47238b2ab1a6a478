import { checkOnnxParity } from "../onnx/check-onnx-parity.js";
import { exportEnsembleToOnnx } from "../onnx/export-onnx.js";
import type { NewModelVersion } from "../registry/model-version.js";
import { selectRows } from "./dataset-rows.js";
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
  // Rows spread evenly over the whole dataset, so every card and date range is in the check.
  const rows = Math.min(PARITY_ROWS, data.rows);
  const step = data.rows / rows;
  const sample = selectRows(
    data,
    Uint32Array.from({ length: rows }, (_, i) => Math.floor(i * step)),
  );
  const onnxMaxAbsDiff = await checkOnnxParity(model.ensemble, artifact, sample.features, rows);
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
