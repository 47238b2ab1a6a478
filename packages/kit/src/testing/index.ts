export * from "./test-infra.js";
export * from "./signed-request.js";
export * from "./loggers.js";
export * from "./graphql-errors.js";
export * from "./run-script.js";
export * from "./tcp-proxy.js";
export * from "./event-loop.js";
export * from "./env-variables.js";
