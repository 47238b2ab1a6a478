import type { ApolloServerPlugin } from "@apollo/server";
import { missingScopesMessage, pokewatchError, satisfiesScopes, type Logger } from "@pokewatch/kit";
import type { GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { GatewayContext } from "../context.js";
import { graphql } from "../operation/graphql-instance.js";
import { fragmentsOf, operationFields } from "../operation/operation-fields.js";
import { scopeRulesFromSupergraph, type ScopeRules } from "./scope-rules.js";

/** The first field an operation selects whose `@scopes` the caller does not satisfy. */
export interface ScopeViolation {
  /** `Type.field` */
  field: string;
  requiredScopes: readonly string[];
}

/**
 * Enforces `@scopes(anyOf: …)` at the edge: an operation that selects a field the caller's scopes
 * do not allow is answered 403 FORBIDDEN, naming the field and the scopes, before the query plan
 * runs, so no subgraph is called. The rules come from the supergraph SDL and are rebuilt each
 * time the gateway loads one. The subgraphs check the signed scopes again (`applyScopeChecks`).
 */
export function scopesPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  let rules: ScopeRules = new Map();
  return {
    serverWillStart: () =>
      Promise.resolve({
        schemaDidLoadOrUpdate({ coreSupergraphSdl }) {
          if (coreSupergraphSdl === undefined) {
            logger.warn("no supergraph SDL to read @scopes rules from: no field is scope-checked at the gateway");
            rules = new Map();
            return;
          }
          rules = scopeRulesFromSupergraph(coreSupergraphSdl);
          logger.info({ scopedFields: rules.size }, "loaded @scopes rules from the supergraph");
        },
      }),
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ schema, operation, document, request, contextValue }) {
          // No operation: operationResolutionPlugin answers that.
          if (!operation || rules.size === 0) return Promise.resolve();
          const violation = findScopeViolation(rules, contextValue.identity.scopes, {
            schema,
            operation,
            fragments: fragmentsOf(document),
            variables: request.variables ?? {},
          });
          if (!violation) return Promise.resolve();
          const { field, requiredScopes } = violation;
          contextValue.logger.info({ field, requiredScopes }, "refused an operation: the caller lacks a scope");
          return Promise.reject(
            pokewatchError("FORBIDDEN", missingScopesMessage(field, requiredScopes), {
              extensions: { requiredScopes: [...requiredScopes], field },
              endsRequest: true,
            }),
          );
        },
      }),
  };
}

export interface ScopedOperation {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Parameters<typeof operationFields>[0]["fragments"];
  /** The request's raw variables. */
  variables: Readonly<Record<string, unknown>>;
}

/** The first selected field `held` does not satisfy; undefined when every selected field is allowed. */
export function findScopeViolation(
  rules: ScopeRules,
  held: readonly string[],
  { schema, operation, fragments, variables }: ScopedOperation,
): ScopeViolation | undefined {
  const { coerced, errors } = graphql.getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  // Bad variables: the gateway refuses them with their own errors before planning; nothing runs.
  if (errors) return undefined;
  for (const selected of operationFields({ schema, operation, fragments, variableValues: coerced })) {
    const field = `${selected.parentType}.${selected.fieldName}`;
    const requiredScopes = rules.get(field);
    if (!satisfiesScopes(held, requiredScopes)) return { field, requiredScopes: requiredScopes ?? [] };
  }
  return undefined;
}
