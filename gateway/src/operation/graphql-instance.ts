import { createRequire } from "node:module";
import type * as GraphQL from "graphql";

/**
 * graphql as `@apollo/gateway` and `@apollo/server` load it (CommonJS). Under Node an `import`
 * of graphql resolves to that same module; vitest hands our sources the ESM build instead, whose
 * `instanceof` checks reject the gateway's schema types. Code that inspects the gateway's schema
 * uses this so it behaves the same in both.
 */
export const graphql = createRequire(import.meta.url)("graphql") as typeof GraphQL;
