export { createPipelineApp, pipelineMigrations, PIPELINE_SDL, type CreatePipelineAppOptions } from "./pipeline-app.js";
export { pipelineEnvSchema, pipelineCron, type PipelineEnv } from "./env.js";
// The registry's tables must exist before this subgraph serves; re-exported so whoever runs the
// pipeline (its own main, the one-process stack) migrates them without depending on the model package.
