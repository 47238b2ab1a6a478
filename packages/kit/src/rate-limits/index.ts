export * from "./rate-limit-links.js";
export * from "./field-limit-keys.js";
export * from "./field-limiters.js";
export * from "./subgraph-field-limits.js";
