import type { GraphQLInputType } from "graphql";
import { graphql } from "./graphql-instance.js";

const { getNullableType, isInputObjectType, isListType, isScalarType } = graphql;

/** Longest id any PokeWatch id can be (card ids are ~12 characters, key and run ids ~30). @default 200 */
export const MAX_ID_LENGTH = 200;

/** C0 controls and DEL: never in an id, and a NUL byte is refused by PostgreSQL itself (22021). */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Where in an argument a bad id sits (`ids[3]`, `requests[0].cardId`) and what is wrong with it. */
export interface HostileId {
  at: string;
  problem: string;
}

/**
 * The first `ID` inside a coerced argument value (through lists and input objects) that no
 * PokeWatch id can be: one longer than MAX_ID_LENGTH or holding a control character. Follows
 * the type, so its depth is the schema's, whatever the client sent; visits each value once.
 */
export function findHostileId(type: GraphQLInputType, value: unknown, at: string): HostileId | undefined {
  if (value === null || value === undefined) return undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return findHostileId(nullable.ofType, value, at);
    for (let index = 0; index < value.length; index += 1) {
      const found = findHostileId(nullable.ofType, value[index], `${at}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const [name, field] of Object.entries(fields)) {
      const found = findHostileId(field.type, (value as Record<string, unknown>)[name], `${at}.${name}`);
      if (found) return found;
    }
    return undefined;
  }
  if (isScalarType(nullable) && nullable.name === "ID" && typeof value === "string") {
    if (value.length > MAX_ID_LENGTH)
      return { at, problem: `is ${value.length} characters long (at most ${MAX_ID_LENGTH})` };
    if (hasControlCharacter(value)) return { at, problem: "contains a control character" };
  }
  return undefined;
}
