export { createPipelineApp, pipelineMigrations, PIPELINE_SDL, type CreatePipelineAppOptions } from "./pipeline-app.js";
export { pipelineEnvSchema, pipelineCron, type PipelineEnv } from "./env.js";
