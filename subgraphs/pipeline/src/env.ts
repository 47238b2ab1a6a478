import { checkSubgraphSecrets, databaseEnvShape, envFields, serviceEnvShape } from "@pokewatch/kit";
import { z } from "zod";
import { collectEnvShape } from "./collect-env.js";
import { DEFAULT_PIPELINE_CRON, assertValidCron } from "./pipeline/schedule.js";

export const pipelineCron = z
  .string()
  .default(DEFAULT_PIPELINE_CRON)
  .superRefine((cron, ctx) => {
    try {
      assertValidCron(cron);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `not a valid cron expression: ${(error as Error).message}` });
    }
  });

export const pipelineEnvSchema = z
  .object({
    ...serviceEnvShape,
    ...databaseEnvShape,
    PIPELINE_PORT: envFields.port(4003),
    /** This subgraph's own signing secret, so that no other subgraph's can sign for it; SUBGRAPH_SECRET when unset. */
    SUBGRAPH_SECRET_PIPELINE: envFields.optionalSecret(),
    /** Accepted besides the current secret while it is rotated (docs/security.md); never signed with. */
    SUBGRAPH_SECRET_PIPELINE_PREVIOUS: envFields.optionalSecret(),
    /** The same for the shared SUBGRAPH_SECRET, when this subgraph has no secret of its own. */
    SUBGRAPH_SECRET_PREVIOUS: envFields.optionalSecret(),
    PIPELINE_CRON: pipelineCron,
    /**
     * With no production model yet, the pipeline runs once at start (one replica of all, under
     * the run lock): `pnpm start` waits for it before serving prices, the service trains while it serves.
     */
    PIPELINE_TRAIN_ON_START: envFields.boolean(true),
    ...collectEnvShape,
  })
  .superRefine(checkSubgraphSecrets(["pipeline"]));

export type PipelineEnv = z.infer<typeof pipelineEnvSchema>;
