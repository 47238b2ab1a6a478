import { FEATURE_COUNT, FEATURE_NAMES } from "../features/feature-set.js";
import { exportEnsembleToOnnx } from "../onnx/export-onnx.js";
import type { NewModelVersion } from "../registry/model-version.js";
import { newModelVersionFixture } from "../registry/model-version.fixture.js";
import type { RegressionTree } from "../training/tree-ensemble.js";

const LOG_PRICE = FEATURE_NAMES.indexOf("log_price");

/**
 * A real ONNX model whose every prediction is `logRatio` (fair = price × e^logRatio), with an
 * interval of ±10 %: serving tests know each answer exactly, and two such models with different
 * ratios tell at a glance which one answered.
 */
export function fixedRatioModelVersion(logRatio: number): NewModelVersion {
  return modelVersionOf(logRatio, { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0] });
}

/**
 * Like `fixedRatioModelVersion`, but cards priced at or below `price` get `cheapLogRatio` and
 * dearer ones `dearLogRatio`, so one catalog holds BUY, SELL and HOLD signals at once.
 */
export function priceBandModelVersion(price: number, cheapLogRatio: number, dearLogRatio: number): NewModelVersion {
  return modelVersionOf(0, {
    feature: [LOG_PRICE, -1, -1],
    threshold: [Math.fround(Math.log(price)), 0, 0],
    left: [1, -1, -1],
    right: [2, -1, -1],
    value: [0, cheapLogRatio, dearLogRatio],
  });
}

function modelVersionOf(baseValue: number, tree: RegressionTree): NewModelVersion {
  const artifact = exportEnsembleToOnnx({ featureCount: FEATURE_COUNT, baseValue, trees: [tree] });
  return newModelVersionFixture(1, {
    artifact,
    features: [...FEATURE_NAMES],
    interval: { coverage: 0.8, lowLogRatio: Math.log(0.9), highLogRatio: Math.log(1.1) },
  });
}
