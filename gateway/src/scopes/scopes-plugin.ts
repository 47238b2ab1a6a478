import type { ApolloServerPlugin } from "@apollo/server";
import { missingScopesMessage, pokewatchError, satisfiesScopes, type Logger } from "@pokewatch/kit";
import type { GatewayContext } from "../context.js";
import type { SelectedField } from "../operation/operation-fields.js";
import { selectedFieldsOf } from "../operation/request-fields.js";
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
          const fields = selectedFieldsOf({ schema, operation, document, request });
          // Bad variables (null): the gateway refuses them with their own errors before planning.
          const violation = fields && findScopeViolation(rules, contextValue.identity.scopes, fields);
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

/** The first selected field `held` does not satisfy; undefined when every selected field is allowed. */
export function findScopeViolation(
  rules: ScopeRules,
  held: readonly string[],
  fields: Iterable<SelectedField>,
): ScopeViolation | undefined {
  for (const selected of fields) {
    const field = `${selected.parentType}.${selected.fieldName}`;
    const requiredScopes = rules.get(field);
    if (!satisfiesScopes(held, requiredScopes)) return { field, requiredScopes: requiredScopes ?? [] };
  }
  return undefined;
}
