/**
 * The prefix of every field-limit counter. rate-limiter-flexible stores a counter under
 * `${keyPrefix}:${key}`, so a field's counter is `pokewatch:field-limit:<keyId>:<Type.field>`.
 */
export const FIELD_LIMIT_KEY_PREFIX = "pokewatch:field-limit";

/**
 * The limiter key of one caller's calls to one field (`Type.field`). The gateway and the subgraphs
 * both build keys here, so a field is counted in the same counter wherever it is counted.
 */
export function fieldLimitKey(keyId: string | null, coordinate: string): string {
  return `${keyId ?? "anonymous"}:${coordinate}`;
}
