import { Kind, valueFromASTUntyped, type DirectiveNode, type DocumentNode } from "graphql";

/** The spec `@rateLimit` is linked from: graphql-rate-limit-directive's own directive definition. */
export const RATE_LIMIT_LINK_URL = "https://github.com/ravangen/graphql-rate-limit/v1.0";
/** The spec our `@listCost` directive is linked from. */
export const LIST_COST_LINK_URL = "https://pokewatch.dev/cost/v1.0";

/** How many calls a field allows per window, as `@rateLimit(limit:, duration:)` declares it. */
export interface FieldLimitRule {
  /** Calls allowed per window. */
  limit: number;
  /** The window, in seconds. */
  duration: number;
}

/** The defaults of the `@rateLimit` definition: `limit: Int! = 60, duration: Int! = 60`. */
export const DEFAULT_FIELD_LIMIT_RULE: Readonly<FieldLimitRule> = Object.freeze({ limit: 60, duration: 60 });

/** The name `@rateLimit` goes by in `document` (`rateLimit` unless renamed); undefined when not linked. */
export function rateLimitDirectiveName(document: DocumentNode): string | undefined {
  return linkedDirectiveName(document, RATE_LIMIT_LINK_URL, "rateLimit");
}

/** The name `@listCost` goes by in `document` (`listCost` unless renamed); undefined when not linked. */
export function listCostDirectiveName(document: DocumentNode): string | undefined {
  return linkedDirectiveName(document, LIST_COST_LINK_URL, "listCost");
}

/** The rule of the `@rateLimit` directive named `name` among `directives`, with the definition's defaults. */
export function rateLimitOf(
  directives: readonly DirectiveNode[] | undefined,
  name: string | undefined,
): FieldLimitRule | undefined {
  const args = argumentsOf(directives, name);
  if (!args) return undefined;
  return {
    limit: typeof args.limit === "number" ? args.limit : DEFAULT_FIELD_LIMIT_RULE.limit,
    duration: typeof args.duration === "number" ? args.duration : DEFAULT_FIELD_LIMIT_RULE.duration,
  };
}

/** The `argument` of the `@listCost` directive named `name` among `directives`: the list argument that sets the cost. */
export function listCostOf(
  directives: readonly DirectiveNode[] | undefined,
  name: string | undefined,
): string | undefined {
  const argument = argumentsOf(directives, name)?.argument;
  return typeof argument === "string" ? argument : undefined;
}

function argumentsOf(
  directives: readonly DirectiveNode[] | undefined,
  name: string | undefined,
): Record<string, unknown> | undefined {
  if (name === undefined) return undefined;
  const directive = directives?.find((d) => d.name.value === name);
  if (!directive) return undefined;
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
}

/**
 * The local name of `directive` from the spec at `url` (any version), following the link spec:
 * an import names it (renamed with `as:`); otherwise it is `namespace__directive`, or the
 * namespace itself when the directive shares the spec's name.
 */
function linkedDirectiveName(document: DocumentNode, url: string, directive: string): string | undefined {
  const identity = specIdentity(url);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== "link") continue;
      const args = argumentsOf([link], "link") ?? {};
      if (typeof args.url !== "string" || specIdentity(args.url) !== identity) continue;
      return importedName(args.import, directive) ?? namespacedName(args, directive);
    }
  }
  return undefined;
}

function importedName(imports: unknown, directive: string): string | undefined {
  const wanted = `@${directive}`;
  for (const entry of Array.isArray(imports) ? (imports as unknown[]) : []) {
    if (entry === wanted) return directive;
    const named = entry as { name?: unknown; as?: unknown } | null;
    if (named?.name === wanted) return typeof named.as === "string" ? named.as.replace(/^@/, "") : directive;
  }
  return undefined;
}

function namespacedName(args: Record<string, unknown>, directive: string): string {
  const namespace = typeof args.as === "string" ? args.as : specName(String(args.url));
  return namespace === directive ? namespace : `${namespace}__${directive}`;
}

/** A spec URL without its version: `https://pokewatch.dev/cost/v1.0` → `https://pokewatch.dev/cost`. */
function specIdentity(url: string): string {
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: the "." separates the two digit runs; the URL is from our own SDL
  return url.replace(/\/v\d+(\.\d+)?\/?$/, "");
}

/** The spec's name, the last path segment before the version: `…/cost/v1.0` → `cost`. */
function specName(url: string): string {
  return specIdentity(url).split("/").pop() ?? "";
}
