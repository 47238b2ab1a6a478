import { pokewatchError } from "@pokewatch/kit";
import { announceProductionModel, type ModelVersion } from "@pokewatch/model";
import type { PipelineContext } from "../context.js";
import { PipelineBusyError, type PipelineRunRecord } from "../pipeline/pipeline-types.js";
import { fromRegistry } from "./registry-errors.js";
import { findRollbackTarget } from "./rollback-target.js";

/** CONFLICT naming the run in the way, so the caller can watch it instead. */
function busy(error: PipelineBusyError) {
  const message = error.activeRunId
    ? `a pipeline run is already active: ${error.activeRunId}; watch it with pipelineRun and trigger again once it has finished`
    : error.message;
  return pokewatchError("CONFLICT", message, { extensions: { activeRunId: error.activeRunId } });
}

/** Makes `id` production and tells the serving replicas, so fair prices switch within moments. */
async function promote({ registry, redis, logger }: PipelineContext, id: string, why: string): Promise<ModelVersion> {
  const version = await fromRegistry(() => registry.promote(id));
  await announceProductionModel(redis, version.id);
  logger.info({ modelVersionId: version.id, version: version.version }, why);
  return version;
}

export const mutationResolvers = {
  Mutation: {
    async triggerPipelineRun(_root: unknown, _args: unknown, { runner, store }: PipelineContext) {
      let run: PipelineRunRecord;
      try {
        ({ run } = await runner.trigger("MANUAL"));
      } catch (error) {
        throw error instanceof PipelineBusyError ? busy(error) : error;
      }
      // The run started in the background meanwhile, most likely: answer with it as it is now.
      return (await store.findById(run.id)) ?? run;
    },
    promoteModel: (_root: unknown, { id }: { id: string }, context: PipelineContext) =>
      promote(context, id, "model version promoted by hand"),
    async rollbackModel(_root: unknown, _args: unknown, context: PipelineContext) {
      const target = await findRollbackTarget(context.db);
      if (!target) {
        throw pokewatchError(
          "BAD_USER_INPUT",
          "nothing to roll back to: no former production model is archived (the first promoted model has no predecessor)",
        );
      }
      return promote(context, target, "model rolled back to the previous production version");
    },
  },
};
