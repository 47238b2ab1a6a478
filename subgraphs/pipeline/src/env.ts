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
  /** With no production model yet, `pnpm start` runs the pipeline once before serving prices. */
  PIPELINE_TRAIN_ON_START: envFields.boolean(true),
  /** Where users reach this service's artifact URLs (evaluation plots). */
  PIPELINE_PUBLIC_URL: envFields.url(["http:", "https:"]).default("http://localhost:4003"),
});

export type PipelineEnv = z.infer<typeof pipelineEnvSchema>;
