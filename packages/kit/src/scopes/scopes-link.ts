import { Kind, valueFromASTUntyped, type DirectiveNode, type DocumentNode } from "graphql";
import { SCOPES_DIRECTIVE } from "../api-keys/scopes.js";

/** The spec our `@scopes` directive is linked from, in the subgraphs and in the supergraph. */
export const SCOPES_SPEC_URL_PREFIX = "https://pokewatch.dev/scopes/";

/**
 * The name `@scopes` goes by in a schema: as imported by `@link(url: "https://pokewatch.dev/scopes/…")`
 * (renamed with `as:`), or the link's namespace when not imported; `scopes` when there is no link.
 */
export function scopesDirectiveName(document: DocumentNode): string {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      const name = nameFromLink(directive);
      if (name) return name;
    }
  }
  return SCOPES_DIRECTIVE;
}

function nameFromLink(directive: DirectiveNode): string | undefined {
  if (directive.name.value !== "link") return undefined;
  const args = Object.fromEntries(
    (directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)] as const),
  );
  if (typeof args.url !== "string" || !args.url.startsWith(SCOPES_SPEC_URL_PREFIX)) return undefined;
  const wanted = `@${SCOPES_DIRECTIVE}`;
  for (const entry of Array.isArray(args.import) ? (args.import as unknown[]) : []) {
    if (entry === wanted) return SCOPES_DIRECTIVE;
    const named = entry as { name?: unknown; as?: unknown } | null;
    if (named?.name === wanted) return typeof named.as === "string" ? named.as.replace(/^@/, "") : SCOPES_DIRECTIVE;
  }
  // Not imported: a spec's own-named directive is called by the link's namespace.
  return typeof args.as === "string" ? args.as : SCOPES_DIRECTIVE;
}

/** The `anyOf` of a `@scopes` directive among `directives`, if there is one. */
export function scopesOf(directives: readonly DirectiveNode[] | undefined, name: string): string[] | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  if (!directive) return undefined;
  const anyOf = directive.arguments?.find((arg) => arg.name.value === "anyOf");
  const value: unknown = anyOf ? valueFromASTUntyped(anyOf.value) : [];
  return (Array.isArray(value) ? value : [value]).filter((scope): scope is string => typeof scope === "string");
}

/** The message a caller gets when they lack a field's scope: names the field and what would do. */
export function missingScopesMessage(field: string, anyOf: readonly string[]): string {
  return anyOf.length === 1
    ? `${field} needs the scope ${anyOf[0]}`
    : `${field} needs one of the scopes ${anyOf.join(", ")}`;
}
