export {
  createPipelineApp,
  pipelineMigrations,
  pipelineServiceOf,
  PIPELINE_SDL,
  type CreatePipelineAppOptions,
} from "./pipeline-app.js";
export { pipelineEnvSchema, pipelineCron, type PipelineEnv } from "./env.js";
export {
  createPipelineService,
  type PipelineService,
  type PipelineServiceOptions,
} from "./pipeline/pipeline-service.js";
export type { PipelineRunner, TriggerOptions } from "./pipeline/pipeline-runner.js";
export type { RunEvent, RunOutcome } from "./pipeline/run-steps.js";
export {
  PipelineBusyError,
  STEP_NAMES,
  type PipelineRunRecord,
  type RunStatus,
  type RunTrigger,
  type StepName,
  type StepRecord,
  type StepStatus,
} from "./pipeline/pipeline-types.js";
export { DEFAULT_PIPELINE_OPTIONS, type PipelineOptions } from "./pipeline/steps/step.js";
export { createProgressThrottle, PROGRESS_INTERVAL_MS } from "./pipeline/progress-throttle.js";
export { trainFirstModelOnStart, type FirstModelOnStart } from "./first-model-on-start.js";
export { pipelineOptionsFromEnv, type PipelineOptionsFromEnv } from "./pipeline-options-from-env.js";
export {
  trainFirstModel,
  type FirstModelOutcome,
  type FirstModelPipeline,
  type TrainFirstModelOptions,
} from "./pipeline/first-model.js";
