import { commonEnvShape, envFields } from "@pokewatch/kit";
import { z } from "zod";
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

export const pipelineEnvSchema = z.object({
  ...commonEnvShape,
  PIPELINE_PORT: envFields.port(4003),
  SUBGRAPH_SECRET: envFields.secret(),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  PIPELINE_CRON: pipelineCron,
});

export type PipelineEnv = z.infer<typeof pipelineEnvSchema>;
