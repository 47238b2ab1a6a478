import {
  listCostDirectiveName,
  listCostOf,
  rateLimitDirectiveName,
  rateLimitOf,
  type FieldLimitRule,
} from "@pokewatch/kit";
import { Kind, parse, type DocumentNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from "graphql";

/** `"Type.field"` → how many calls of that field a key may make per window. */
export type FieldLimitRules = ReadonlyMap<string, FieldLimitRule>;

/** `"Type.field"` → the name of the list argument whose length is that field's cost. */
export type ListCostRules = ReadonlyMap<string, string>;

/**
 * The `@rateLimit` rules of a supergraph, read from its SDL: `@apollo/gateway` drops composed
 * directives from the API schema it serves. A type's `@rateLimit` covers each of its fields; a
 * field's own `@rateLimit` wins over its type's. Empty when the supergraph does not link `@rateLimit`.
 */
export function fieldLimitRulesFromSupergraph(supergraphSdl: string): FieldLimitRules {
  const document = parse(supergraphSdl, { noLocation: true });
  const name = rateLimitDirectiveName(document);
  const typeRules = new Map<string, FieldLimitRule>();
  const fieldRules = new Map<string, FieldLimitRule>();
  const fieldsOf = new Map<string, Set<string>>();

  for (const type of objectTypesOf(document)) {
    const typeName = type.name.value;
    const typeRule = rateLimitOf(type.directives, name);
    if (typeRule) typeRules.set(typeName, typeRule);
    const names = fieldsOf.get(typeName) ?? new Set<string>();
    fieldsOf.set(typeName, names);
    for (const field of type.fields ?? []) {
      names.add(field.name.value);
      const rule = rateLimitOf(field.directives, name);
      if (rule) fieldRules.set(`${typeName}.${field.name.value}`, rule);
    }
  }

  const rules = new Map<string, FieldLimitRule>();
  for (const [typeName, rule] of typeRules) {
    for (const field of fieldsOf.get(typeName) ?? []) rules.set(`${typeName}.${field}`, rule);
  }
  for (const [coordinate, rule] of fieldRules) rules.set(coordinate, rule);
  return rules;
}

/**
 * The `@listCost(argument:)` rules of a supergraph, read from its SDL. Empty when the supergraph
 * does not link `@listCost`.
 */
export function listCostRulesFromSupergraph(supergraphSdl: string): ListCostRules {
  const document = parse(supergraphSdl, { noLocation: true });
  const name = listCostDirectiveName(document);
  const rules = new Map<string, string>();
  for (const type of objectTypesOf(document)) {
    for (const field of type.fields ?? []) {
      const argument = listCostOf(field.directives, name);
      if (argument !== undefined) rules.set(`${type.name.value}.${field.name.value}`, argument);
    }
  }
  return rules;
}

/** Object type definitions and extensions, in document order. */
function objectTypesOf(document: DocumentNode): Array<ObjectTypeDefinitionNode | ObjectTypeExtensionNode> {
  return document.definitions.filter(
    (definition) => definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION,
  );
}
