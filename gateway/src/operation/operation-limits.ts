import {
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** How large one operation may be; checked before validation, the scope check and the limit walks. */
export interface OperationLimits {
  /** OPERATION_MAX_TOKENS: lexical tokens in the whole document. @default 20_000 */
  maxTokens: number;
  /** OPERATION_MAX_DEPTH: field nesting through fragments, a root field being depth 1. @default 20 */
  maxDepth: number;
  /** OPERATION_MAX_ALIASES: aliased fields, counted as often as fragments repeat them. @default 100 */
  maxAliases: number;
  /** OPERATION_MAX_DIRECTIVES: directives, counted as often as fragments repeat them. @default 50 */
  maxDirectives: number;
  /** OPERATION_MAX_FIELDS: fields after every fragment spread is expanded. @default 2_000 */
  maxFields: number;
}

/**
 * Chosen from the real schema: a fairPrices batch of 1,000 inline `{cardId, date}` literals is
 * about 8,000 tokens; the deepest legitimate query, the introspection query tools send
 * (graphql-js `getIntrospectionQuery()`), is 15 fields deep and selects 220 fields once its
 * fragments are expanded; batches use lists, not aliases. (operation-limits.test.ts pins these.)
 */
export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxTokens: 20_000,
  maxDepth: 20,
  maxAliases: 100,
  maxDirectives: 50,
  maxFields: 2_000,
});

export type OperationLimitName = "tokens" | "depth" | "aliases" | "directives" | "fields";

export interface LimitViolation {
  limit: OperationLimitName;
  max: number;
  /** The value measured; for tokens and bracket nesting, the count where the scan stopped. */
  actual: number;
  /** Set when `depth` was measured as bracket nesting in the source, before parsing. */
  brackets?: true;
}

/**
 * Brackets of any kind (`{`, `[`, `(`) may nest this much deeper than the field depth allows:
 * arguments, lists and input objects open their own. Bounding them before parsing keeps
 * graphql-js's recursive parser, and every walk after it, far from the call stack's limit.
 */
const BRACKET_ALLOWANCE = 10;

/**
 * One pass of graphql-js's lexer over the source: refuses it as soon as it holds more tokens than
 * `maxTokens` or nests brackets deeper than the depth limit allows. A source the lexer rejects is
 * left to the parser, which answers it with its own syntax error.
 */
export function checkSource(source: string, limits: OperationLimits): LimitViolation | undefined {
  const lexer = new Lexer(new Source(source));
  const maxNesting = limits.maxDepth + BRACKET_ALLOWANCE;
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.maxTokens) return { limit: "tokens", max: limits.maxTokens, actual: tokens };
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        nesting += 1;
        if (nesting > maxNesting) return { limit: "depth", max: limits.maxDepth, actual: nesting, brackets: true };
      } else if (
        token.kind === TokenKind.BRACE_R ||
        token.kind === TokenKind.BRACKET_R ||
        token.kind === TokenKind.PAREN_R
      ) {
        nesting -= 1;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** What a selection set (or a fragment) selects once its fragment spreads are expanded. */
interface Size {
  depth: number;
  fields: number;
  aliases: number;
  directives: number;
}

const EMPTY: Size = { depth: 0, fields: 0, aliases: 0, directives: 0 };

/**
 * Measures the operations of a parsed document (all of them together: each is validated, whichever
 * one runs) with their fragments expanded, without expanding
 * any: each fragment is measured once, after the fragments it spreads (a memo over the spread
 * graph, in an iterative order, so a chain of 1,000 fragments needs no deep stack), and a spread
 * adds the spread fragment's size. Sizes multiply through repeated spreads, as execution would,
 * so a fragment that doubles itself 30 times measures 2^30 fields here, in microseconds.
 * Spreads of unknown fragments and cycles count nothing: validation refuses those documents.
 * Call it on a source that passed `checkSource`: a definition's own nesting is then bounded.
 */
export function checkDocument(document: DocumentNode, limits: OperationLimits): LimitViolation | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const sizes = fragmentSizes(fragments);
  // Every operation of the document is validated, whichever one runs: their sizes add up.
  const total = { ...EMPTY };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const size = selectionSetSize(definition.selectionSet, sizes);
    total.depth = Math.max(total.depth, size.depth);
    total.fields += size.fields;
    total.aliases += size.aliases;
    total.directives += size.directives + directiveCount(definition.directives) + variableDirectiveCount(definition);
  }
  return firstViolation(total, limits);
}

function firstViolation(size: Size, limits: OperationLimits): LimitViolation | undefined {
  if (size.depth > limits.maxDepth) return { limit: "depth", max: limits.maxDepth, actual: size.depth };
  if (size.fields > limits.maxFields) return { limit: "fields", max: limits.maxFields, actual: size.fields };
  if (size.aliases > limits.maxAliases) return { limit: "aliases", max: limits.maxAliases, actual: size.aliases };
  if (size.directives > limits.maxDirectives)
    return { limit: "directives", max: limits.maxDirectives, actual: size.directives };
  return undefined;
}

/** Each fragment's size, the spread fragments measured first (iterative depth-first post-order). */
function fragmentSizes(fragments: ReadonlyMap<string, FragmentDefinitionNode>): Map<string, Size> {
  const sizes = new Map<string, Size>();
  const state = new Map<string, "open" | "done">();
  for (const start of fragments.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ name: string; pending: string[] }> = [];
    const open = (name: string) => {
      state.set(name, "open");
      stack.push({ name, pending: spreadNames(fragments.get(name)!.selectionSet) });
    };
    open(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.pending.pop();
      if (next !== undefined) {
        // Unknown or already measured: nothing to do; "open": a cycle, which validation refuses.
        if (fragments.has(next) && !state.has(next)) open(next);
        continue;
      }
      stack.pop();
      const fragment = fragments.get(top.name)!;
      const size = selectionSetSize(fragment.selectionSet, sizes);
      sizes.set(top.name, { ...size, directives: size.directives + directiveCount(fragment.directives) });
      state.set(top.name, "done");
    }
  }
  return sizes;
}

/** The names of the fragments a selection set spreads, at any nesting inside it (deduplicated). */
function spreadNames(selectionSet: SelectionSetNode): string[] {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) names.add(selection.name.value);
      else if (selection.selectionSet) visit(selection.selectionSet);
    }
  };
  visit(selectionSet);
  return [...names];
}

/** A selection set's size given the sizes of the fragments it spreads (missing ones count nothing). */
function selectionSetSize(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, Size>): Size {
  let depth = 0;
  let fields = 0;
  let aliases = 0;
  let directives = 0;
  for (const selection of selectionSet.selections) {
    directives += directiveCount(selection.directives);
    let inner: Size;
    if (selection.kind === Kind.FIELD) {
      inner = selection.selectionSet ? selectionSetSize(selection.selectionSet, fragments) : EMPTY;
      depth = Math.max(depth, inner.depth + 1);
      fields += 1;
      if (selection.alias) aliases += 1;
    } else {
      inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selectionSetSize(selection.selectionSet, fragments)
          : (fragments.get(selection.name.value) ?? EMPTY);
      depth = Math.max(depth, inner.depth);
    }
    fields += inner.fields;
    aliases += inner.aliases;
    directives += inner.directives;
  }
  return { depth, fields, aliases, directives };
}

function directiveCount(directives: readonly DirectiveNode[] | undefined): number {
  return directives?.length ?? 0;
}

function variableDirectiveCount(definition: DefinitionNode & { kind: Kind.OPERATION_DEFINITION }): number {
  let count = 0;
  for (const variable of definition.variableDefinitions ?? []) count += directiveCount(variable.directives);
  return count;
}

/** The message a client reads: which limit, the value measured and the maximum. */
export function limitMessage({ limit, max, actual, brackets }: LimitViolation): string {
  const shown = actual > Number.MAX_SAFE_INTEGER ? `more than ${Number.MAX_SAFE_INTEGER}` : String(actual);
  switch (limit) {
    case "tokens":
      return `The document has more than ${max} tokens (stopped counting at ${shown}); at most ${max} are accepted.`;
    case "depth":
      return brackets
        ? `The document nests brackets ${shown} deep; fields may nest at most ${max} deep (brackets ${max + BRACKET_ALLOWANCE}).`
        : `The operation nests ${shown} levels deep; at most ${max} are accepted.`;
    case "fields":
      return `The operation selects ${shown} fields once its fragments are expanded; at most ${max} are accepted.`;
    case "aliases":
      return `The operation uses ${shown} aliases; at most ${max} are accepted. Batch with list arguments (cards(ids:), fairPrices(requests:)) instead.`;
    case "directives":
      return `The operation uses ${shown} directives; at most ${max} are accepted.`;
  }
}
