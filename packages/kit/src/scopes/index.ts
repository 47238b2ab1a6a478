export * from "./scope-checks.js";
export * from "./scopes-link.js";
