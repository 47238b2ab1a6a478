import { envFields, serviceEnvShape } from "@pokewatch/kit";
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
  ...serviceEnvShape,
  PIPELINE_PORT: envFields.port(4003),
  PIPELINE_CRON: pipelineCron,
});

export type PipelineEnv = z.infer<typeof pipelineEnvSchema>;
