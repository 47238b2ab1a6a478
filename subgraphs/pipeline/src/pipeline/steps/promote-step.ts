import { announceProductionModel, sha256Hex } from "@pokewatch/model";
import { percent, type EvaluateOutput } from "./evaluate-step.js";
import type { RegisterOutput } from "./register-step.js";
import type { PipelineStep, StepResult } from "./step.js";

export interface PromoteOutput {
  promoted: boolean;
  /** The production version this step archived; null when it promoted none or replaced none. */
  previousProductionId: string | null;
}

/**
 * Makes the registered candidate production when it beat production on the same hold-out rows:
 * `registry.promote` archives the previous version in the same transaction. Serving replicas are
 * told at once over Redis when there is one, and otherwise notice at their next poll.
 */
export const promoteStep: PipelineStep<{ evaluate: EvaluateOutput; register: RegisterOutput }, PromoteOutput> = {
  name: "promote",
  cacheable: false,
  codeUrl: new URL(import.meta.url),
  async run(ctx, { evaluate: { comparison }, register: { modelVersionId } }) {
    const current = await ctx.registry.production();
    if (current?.id === modelVersionId) {
      return kept(`${modelVersionId} already is the production model (the same artifact was registered before)`);
    }
    // Someone promoted or rolled back by hand while this run trained: its comparison is stale.
    if ((current?.id ?? null) !== comparison.productionModelId) {
      return kept(
        `production changed during the run (compared with ${comparison.productionModelId ?? "none"}, now ${current?.id ?? "none"}); ${modelVersionId} was not promoted, rerun to compare again`,
      );
    }
    if (!comparison.better) {
      const against = comparison.production ? percent(comparison.production.mape) : "production's";
      return kept(
        `kept ${current?.id ?? "no model"} in production: the candidate's MAPE ${percent(comparison.candidate.mape)} is not below ${against}`,
      );
    }
    await ctx.registry.promote(modelVersionId);
    await announceProductionModel(ctx.redis, modelVersionId);
    const previousProductionId = current?.id ?? null;
    const versus = comparison.production ? ` vs ${percent(comparison.production.mape)}` : "";
    const archived = previousProductionId ? `; archived ${previousProductionId}` : "";
    return result(
      { promoted: true, previousProductionId },
      `promoted ${modelVersionId} to production (MAPE ${percent(comparison.candidate.mape)}${versus})${archived}`,
    );
  },
};

const kept = (message: string) => result({ promoted: false, previousProductionId: null }, message);

/** Kept production as it was: the step is SKIPPED, with the reason. */
function result(output: PromoteOutput, message: string): StepResult<PromoteOutput> {
  return {
    output,
    outputHash: sha256Hex(Buffer.from(JSON.stringify(output), "utf8")),
    message,
    ...(!output.promoted && { skipped: true }),
  };
}
