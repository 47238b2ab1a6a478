import { createRequire } from "node:module";
import { CriticalityLevel, diff } from "@graphql-inspector/core";
import type { GraphQLSchema } from "graphql";

/** The part of @apollo/federation-internals used here. */
interface FederationInternals {
  Supergraph: { build(sdl: string): { apiSchema(): { toGraphQLJSSchema(): GraphQLSchema } } };
}

let federation: FederationInternals | undefined;

/** What clients see of a supergraph: no join/link machinery, no @inaccessible elements. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // Not a dependency of this package itself: loaded beside @apollo/composition, so it is the very
  // copy (and version) that composed the supergraph. Loaded on first use: only `--base` needs it.
  federation ??= createRequire(createRequire(import.meta.url).resolve("@apollo/composition"))(
    "@apollo/federation-internals",
  ) as FederationInternals;
  return federation.Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export interface SchemaChange {
  message: string;
  /** Schema coordinate of what changed, e.g. `Card.rarity`. */
  path: string | undefined;
}

export interface SchemaChanges {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
}

const GROUP_OF = {
  [CriticalityLevel.Breaking]: "breaking",
  [CriticalityLevel.Dangerous]: "dangerous",
  [CriticalityLevel.NonBreaking]: "safe",
} as const satisfies Record<CriticalityLevel, keyof SchemaChanges>;

/** The changes from `baseSdl` to `headSdl` in their API schemas, by @graphql-inspector's criticality. */
export async function diffSupergraphs(baseSdl: string, headSdl: string): Promise<SchemaChanges> {
  const changes: SchemaChanges = { breaking: [], dangerous: [], safe: [] };
  for (const change of await diff(apiSchemaOf(baseSdl), apiSchemaOf(headSdl))) {
    changes[GROUP_OF[change.criticality.level]].push({ message: change.message, path: change.path });
  }
  return changes;
}

const GROUPS = [
  ["breaking", "Breaking", "✖"],
  ["dangerous", "Dangerous", "⚠"],
  ["safe", "Safe", "✔"],
] as const;

// Descriptions can span lines; one change stays on one line.
const oneLine = (message: string) => message.replace(/\s+/g, " ");
const counts = (changes: SchemaChanges) => GROUPS.map(([group]) => `${changes[group].length} ${group}`).join(", ");

/** The change list for a terminal or a CI log. */
export function changesAsText(changes: SchemaChanges, base: string): string {
  const total = GROUPS.reduce((sum, [group]) => sum + changes[group].length, 0);
  if (total === 0) return `No schema changes against ${base}\n`;
  const lines = [`Schema changes against ${base}: ${counts(changes)}`];
  for (const [group, title, mark] of GROUPS) {
    if (changes[group].length === 0) continue;
    lines.push(`${title}:`);
    for (const { message, path } of changes[group])
      lines.push(`  ${mark} ${oneLine(message)}${path ? `  (${path})` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The change list for a GitHub job summary or a pull request comment. */
export function changesAsMarkdown(changes: SchemaChanges, base: string): string {
  const lines = [`### Schema changes against \`${base}\``, ""];
  const total = GROUPS.reduce((sum, [group]) => sum + changes[group].length, 0);
  if (total === 0) return `${lines.join("\n")}\nNo changes to the public schema.\n`;
  lines.push(counts(changes));
  for (const [group, title] of GROUPS) {
    if (changes[group].length === 0) continue;
    lines.push("", `#### ${title}`, "");
    for (const { message, path } of changes[group]) lines.push(`- ${oneLine(message)}${path ? ` — \`${path}\`` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}
