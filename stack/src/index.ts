export { startStack, type RunningStack, type StartStackOptions } from "./start-stack.js";
export { stackEnvSchema, type StackEnv } from "./stack-env.js";
export { stackOptionsFromEnv, type StackOptions } from "./stack-options.js";
