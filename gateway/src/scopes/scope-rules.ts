import { scopesDirectiveName, scopesOf } from "@pokewatch/kit";
import { Kind, parse } from "graphql";

/** `"Type.field"` → the scopes, any one of which lets a caller select that field. */
export type ScopeRules = ReadonlyMap<string, readonly string[]>;

/**
 * The `@scopes` rules of a supergraph, read from its SDL: `@apollo/gateway` drops composed
 * directives from the API schema it serves. A type's `@scopes` covers each of its fields; a
 * field's own `@scopes` wins over its type's.
 */
export function scopeRulesFromSupergraph(supergraphSdl: string): ScopeRules {
  const document = parse(supergraphSdl, { noLocation: true });
  const name = scopesDirectiveName(document);
  const typeRules = new Map<string, string[]>();
  const fieldRules = new Map<string, string[]>();
  const fieldsOf = new Map<string, Set<string>>();

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    const typeRule = scopesOf(definition.directives, name);
    if (typeRule) typeRules.set(typeName, typeRule);
    const fields = fieldsOf.get(typeName) ?? new Set<string>();
    fieldsOf.set(typeName, fields);
    for (const field of definition.fields ?? []) {
      fields.add(field.name.value);
      const rule = scopesOf(field.directives, name);
      if (rule) fieldRules.set(`${typeName}.${field.name.value}`, rule);
    }
  }

  const rules = new Map<string, readonly string[]>();
  for (const [typeName, rule] of typeRules) {
    for (const field of fieldsOf.get(typeName) ?? []) rules.set(`${typeName}.${field}`, rule);
  }
  for (const [coordinate, rule] of fieldRules) rules.set(coordinate, rule);
  return rules;
}
