import onnxProto from "onnx-proto";
import type { TreeEnsemble } from "../training/tree-ensemble.js";

const { onnx } = onnxProto;

/** Input and output names of every PokeWatch model: the predictor relies on them. */
export const ONNX_INPUT = "features";
export const ONNX_OUTPUT = "log_ratio";

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const ML_DOMAIN = "ai.onnx.ml";

/**
 * Writes the ensemble as one `ai.onnx.ml` TreeEnsembleRegressor node: input `features`
 * float[N, featureCount], output `log_ratio` float[N, 1]. Branches are BRANCH_LEQ (true = left),
 * the same rule `predictEnsemble` applies, so the two agree to float rounding of the sum.
 */
export function exportEnsembleToOnnx(ensemble: TreeEnsemble, options: { docString?: string } = {}): Uint8Array {
  const nodes = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  // The operator needs at least one tree: a constant model is one leaf worth 0 on the base value.
  const trees =
    ensemble.trees.length > 0
      ? ensemble.trees
      : [{ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0] }];
  trees.forEach((tree, treeId) => {
    tree.feature.forEach((feature, nodeId) => {
      const leaf = feature === -1;
      nodes.treeIds.push(treeId);
      nodes.nodeIds.push(nodeId);
      nodes.featureIds.push(leaf ? 0 : feature);
      nodes.modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      nodes.values.push(leaf ? 0 : tree.threshold[nodeId]!);
      nodes.trueIds.push(leaf ? 0 : tree.left[nodeId]!);
      nodes.falseIds.push(leaf ? 0 : tree.right[nodeId]!);
      if (leaf) {
        targets.treeIds.push(treeId);
        targets.nodeIds.push(nodeId);
        targets.weights.push(tree.value[nodeId]!);
      }
    });
  });
  const ints = (name: string, values: number[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: values,
  });
  const floats = (name: string, values: number[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.FLOATS,
    floats: values,
  });
  const strings = (name: string, values: string[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRINGS,
    strings: values.map((v) => new TextEncoder().encode(v)),
  });
  const regressor = onnx.NodeProto.create({
    name: "fair_price_trees",
    opType: "TreeEnsembleRegressor",
    domain: ML_DOMAIN,
    input: [ONNX_INPUT],
    output: [ONNX_OUTPUT],
    attribute: [
      ints("nodes_treeids", nodes.treeIds),
      ints("nodes_nodeids", nodes.nodeIds),
      ints("nodes_featureids", nodes.featureIds),
      strings("nodes_modes", nodes.modes),
      floats("nodes_values", nodes.values),
      ints("nodes_truenodeids", nodes.trueIds),
      ints("nodes_falsenodeids", nodes.falseIds),
      ints("target_treeids", targets.treeIds),
      ints("target_nodeids", targets.nodeIds),
      ints(
        "target_ids",
        targets.treeIds.map(() => 0),
      ),
      floats("target_weights", targets.weights),
      floats("base_values", [ensemble.baseValue]),
      { name: "n_targets", type: onnx.AttributeProto.AttributeType.INT, i: 1 },
      { name: "aggregate_function", type: onnx.AttributeProto.AttributeType.STRING, s: utf8("SUM") },
      { name: "post_transform", type: onnx.AttributeProto.AttributeType.STRING, s: utf8("NONE") },
    ],
  });
  const tensor = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "pokewatch",
    docString: options.docString ?? "",
    opsetImport: [
      { domain: "", version: 15 },
      { domain: ML_DOMAIN, version: 3 },
    ],
    graph: {
      name: "fair_price",
      node: [regressor],
      input: [tensor(ONNX_INPUT, ["N", ensemble.featureCount])],
      output: [tensor(ONNX_OUTPUT, ["N", 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
