import { pokewatchError } from "@pokewatch/kit";
import { MAX_PAGE_SIZE, type ModelMetrics, type ModelStage, type ModelVersion } from "@pokewatch/model";
import type { PipelineContext } from "../context.js";
import type { RunComparison } from "../pipeline/pipeline-types.js";
import { toConnection } from "./connection.js";
import { fromRegistry } from "./registry-errors.js";

interface ModelVersionsArgs {
  stage?: ModelStage | null;
  first: number;
  after?: string | null;
}

function assertPageSize(first: number): void {
  if (Number.isInteger(first) && first >= 1 && first <= MAX_PAGE_SIZE) return;
  throw pokewatchError("BAD_USER_INPUT", `first must be from 1 to ${MAX_PAGE_SIZE}; got ${first}`, {
    extensions: { argument: "first" },
  });
}

export const modelResolvers = {
  Query: {
    async modelVersions(_root: unknown, { stage, first, after }: ModelVersionsArgs, { registry }: PipelineContext) {
      assertPageSize(first);
      const page = await fromRegistry(() => registry.list({ ...(stage && { stage }), first, after: after ?? null }), {
        argument: "after",
        message: "after must be an endCursor returned by modelVersions",
      });
      const nodes = page.edges.map((edge) => edge.node);
      const cursors = page.edges.map((edge) => edge.cursor);
      return toConnection(nodes, cursors, page.pageInfo, after);
    },
    productionModel: (_root: unknown, _args: unknown, { registry }: PipelineContext) => registry.production(),
  },
  ModelVersion: {
    async __resolveReference({ id }: { id: string }, { registry }: PipelineContext) {
      return (await registry.get(id)) ?? pokewatchError("NOT_FOUND", `No model version with id "${id}"`);
    },
  },
  TrainingSummary: {
    // Recorded as measured; the schema says whole milliseconds.
    trainingMs: ({ trainingMs }: ModelVersion["trainingSummary"]) => Math.round(trainingMs),
  },
  ModelMetrics: {
    /** One baseline figure, the one a new model has to beat: the better of the two. */
    baselineMape: ({ baselines }: ModelMetrics) => Math.min(baselines.lastPrice.mape, baselines.rollingMean3.mape),
  },
  ModelComparison: {
    productionModel: ({ productionModelId }: RunComparison, _args: unknown, { registry }: PipelineContext) =>
      productionModelId ? registry.get(productionModelId) : null,
  },
};
