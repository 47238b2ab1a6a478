export * from "./api-key-secret.js";
export * from "./api-key-events.js";
export * from "./local-key-changes.js";
export * from "./scopes.js";
export * from "./internal-routes.js";
