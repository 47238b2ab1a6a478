import {
  Kind,
  defaultFieldResolver,
  type DocumentNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { satisfiesScopes } from "../api-keys/scopes.js";
import { pokewatchError } from "../errors.js";
import type { Identity } from "../identity.js";
import { missingScopesMessage, scopesDirectiveName, scopesOf } from "./scopes-link.js";

/** Federation's own entry points: the gateway calls them, and the fields they reach are checked. */
const FEDERATION_FIELDS = new Set(["Query._entities", "Query._service"]);

/**
 * Defence in depth behind the gateway: every object field with `@scopes(anyOf: …)` on it (or on
 * its type; the field's own wins) throws FORBIDDEN, naming the scope, unless the signed identity
 * holds one of them. Wraps the resolvers in place and returns the same schema.
 */
export function applyScopeChecks(schema: GraphQLSchema): GraphQLSchema {
  const name = scopesDirectiveName(schemaDocumentOf(schema));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const typeRule = scopesOf(directivesOfType(type), name);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (FEDERATION_FIELDS.has(coordinate)) continue;
      const anyOf = scopesOf(field.astNode?.directives, name) ?? typeRule;
      if (anyOf && anyOf.length > 0) guard(field, coordinate, anyOf);
    }
  }
  return schema;
}

function guard(field: GraphQLField<unknown, unknown>, coordinate: string, anyOf: readonly string[]): void {
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context: unknown, info) => {
    const held = (context as { identity?: Identity } | undefined)?.identity?.scopes ?? [];
    if (!satisfiesScopes(held, anyOf)) {
      throw pokewatchError("FORBIDDEN", missingScopesMessage(coordinate, anyOf), {
        extensions: { requiredScopes: [...anyOf], field: coordinate },
      });
    }
    return resolve(source, args, context, info);
  };
}

/**
 * `buildSubgraphSchema` builds with graphql's CommonJS build; under vitest this file gets the ESM
 * one, whose `isObjectType` would reject those types. The class tag is the same in both.
 */
function isObjectType(type: GraphQLNamedType): type is GraphQLObjectType {
  return Object.prototype.toString.call(type) === "[object GraphQLObjectType]";
}

function directivesOfType(type: GraphQLObjectType) {
  return [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
}

function schemaDocumentOf(schema: GraphQLSchema): DocumentNode {
  const definitions = [schema.astNode, ...schema.extensionASTNodes].filter(
    (node) => node !== undefined && node !== null,
  );
  return { kind: Kind.DOCUMENT, definitions };
}
