import type { ValidationRule } from "graphql";
import { graphql } from "./graphql-instance.js";

/**
 * graphql-js 17's KnownOperationTypesRule for graphql 16: an operation whose type the schema does
 * not have (a `subscription`: this API has none) is a validation error, 400
 * GRAPHQL_VALIDATION_FAILED, instead of reaching the gateway's executor, which throws on it.
 */
export const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new graphql.GraphQLError(`This API has no ${node.operation} operations; send a query or a mutation.`, {
        nodes: node,
      }),
    );
  },
});
