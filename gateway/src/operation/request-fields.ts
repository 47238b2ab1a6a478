import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { graphql } from "./graphql-instance.js";
import { fragmentsOf, operationFields, type SelectedField } from "./operation-fields.js";

/** What the gateway's plugins see of a request once Apollo Server resolved its operation. */
export interface ResolvedRequest {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  document: DocumentNode;
  request: { variables?: Record<string, unknown> | undefined };
}

const walked = new WeakMap<object, readonly SelectedField[] | null>();

/**
 * The fields a request's operation selects, walked once per request however many plugins ask
 * (id checks, scopes, rate limits): coercing the variables of a 1,000-item batch and walking the
 * operation each cost more than the rest of a plugin. Null when the variables do not coerce: the
 * gateway refuses those itself, with their own errors, before anything runs.
 */
export function selectedFieldsOf({
  schema,
  operation,
  document,
  request,
}: ResolvedRequest): readonly SelectedField[] | null {
  const known = walked.get(request);
  if (known !== undefined) return known;
  const { coerced, errors } = graphql.getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    request.variables ?? {},
  );
  const fields = errors
    ? null
    : [...operationFields({ schema, operation, fragments: fragmentsOf(document), variableValues: coerced })];
  walked.set(request, fields);
  return fields;
}
