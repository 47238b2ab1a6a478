import { announceProductionModel, sha256Hex, type ModelVersion } from "@pokewatch/model";
import type { RunComparison } from "../pipeline-types.js";
import { percent, type EvaluateOutput } from "./evaluate-step.js";
import type { RegisterOutput } from "./register-step.js";
import { StepFailure, type PipelineStep, type StepResult } from "./step.js";

export interface PromoteOutput {
  promoted: boolean;
  /** The production version this step archived; null when it promoted none or replaced none. */
  previousProductionId: string | null;
}

/**
 * Makes the registered candidate production when it beat production on the same hold-out rows.
 * `registry.promoteIf` checks, under the registry's lock and in the transaction that archives the
 * previous version, that production still is the model evaluate compared with. A candidate that is
 * ARCHIVED (register reused a version that was retired, e.g. rolled back by an operator) is never
 * promoted automatically. Serving replicas are told at once over Redis when there is one, and
 * otherwise notice at their next poll.
 */
export const promoteStep: PipelineStep<{ evaluate: EvaluateOutput; register: RegisterOutput }, PromoteOutput> = {
  name: "promote",
  cacheable: false,
  codeUrl: new URL(import.meta.url),
  async run(ctx, { evaluate: { comparison }, register: { modelVersionId } }) {
    const [current, candidate] = await Promise.all([ctx.registry.production(), ctx.registry.get(modelVersionId)]);
    if (!candidate) throw new StepFailure(`${modelVersionId} is no longer in the registry`);
    if (current?.id === modelVersionId) {
      return kept(`${modelVersionId} already is the production model (the same artifact was registered before)`);
    }
    // An operator retired it (rolled back from it, or archived it): do not undo that behind their back.
    if (candidate.stage === "ARCHIVED") {
      return kept(
        `${modelVersionId} was retired (rolled back); promote it by hand with promoteModel if wanted. Kept ${current?.id ?? "no model"} in production`,
      );
    }
    // Someone promoted or rolled back by hand while this run trained: its comparison is stale.
    if ((current?.id ?? null) !== comparison.productionModelId) return stale(comparison, current, modelVersionId);
    if (!comparison.better) {
      const against = comparison.production ? percent(comparison.production.mape) : "production's";
      return kept(
        `kept ${current?.id ?? "no model"} in production: the candidate's MAPE ${percent(comparison.candidate.mape)} is not below ${against}`,
      );
    }
    // The check above may be stale by now: promoteIf repeats it under the registry's lock.
    const promotion = await ctx.registry.promoteIf(modelVersionId, comparison.productionModelId);
    if (!promotion.promoted) return stale(comparison, promotion.current, modelVersionId);
    await announceProductionModel(ctx.redis, modelVersionId);
    const previousProductionId = promotion.current?.id ?? null;
    const versus = comparison.production ? ` vs ${percent(comparison.production.mape)}` : "";
    const archived = previousProductionId ? `; archived ${previousProductionId}` : "";
    return result(
      { promoted: true, previousProductionId },
      `promoted ${modelVersionId} to production (MAPE ${percent(comparison.candidate.mape)}${versus})${archived}`,
    );
  },
};

const stale = (comparison: RunComparison, current: ModelVersion | null, modelVersionId: string) =>
  kept(
    `production changed during the run (compared with ${comparison.productionModelId ?? "none"}, now ${current?.id ?? "none"}); ${modelVersionId} was not promoted, rerun to compare again`,
  );

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
