import { subgraphOptionsOf, type DatabaseOptions, type RunnerOptions } from "@pokewatch/kit";
import { collectOptionsFromEnv } from "./collect-env.js";
import type { PipelineEnv } from "./env.js";
import type { CreatePipelineAppOptions } from "./pipeline-app.js";

/** What the app needs at run time, which the entry point opens or makes, and test knobs. */
type PipelineRuntime = "db" | "redis" | "logger" | "clock" | "catalog" | "scheduler" | "service";

/** Everything the pipeline service takes from its environment. */
export interface PipelineOptionsFromEnv extends RunnerOptions {
  database: DatabaseOptions;
  app: Omit<CreatePipelineAppOptions, PipelineRuntime> & { cron: string; dataDir: string };
  /** PIPELINE_TRAIN_ON_START: with no production model, train one at start (`trainFirstModel`). */
  trainOnStart: boolean;
}

/**
 * The one mapping of the pipeline service's environment to its options, for both entry points:
 * the standalone service (`main.ts`) and `pnpm start` (`startStack`). Every variable of
 * `pipelineEnvSchema` lands here (`pipeline-options-from-env.test.ts` proves it).
 */
export function pipelineOptionsFromEnv(env: PipelineEnv): PipelineOptionsFromEnv {
  const base = subgraphOptionsOf(env, "pipeline", env.PIPELINE_PORT);
  return {
    ...base,
    app: {
      ...base.app,
      cron: env.PIPELINE_CRON,
      dataDir: env.DATA_DIR,
      pipelineOptions: { collect: collectOptionsFromEnv(env) },
    },
    trainOnStart: env.PIPELINE_TRAIN_ON_START,
  };
}
