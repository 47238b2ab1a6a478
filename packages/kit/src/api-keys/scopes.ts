/** Every scope a key can hold. */
export const API_KEY_SCOPES = ["prices:read", "pipeline:read", "pipeline:write", "keys:admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(scope: string): scope is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(scope);
}

/** The name of our composed directive: `@scopes(anyOf: [...])` on a field or an object type. */
export const SCOPES_DIRECTIVE = "scopes";

/** True when the caller holds at least one of the scopes a field asks for (no rule: always). */
export function satisfiesScopes(held: readonly string[], anyOf: readonly string[] | undefined): boolean {
  return anyOf === undefined || anyOf.length === 0 || anyOf.some((scope) => held.includes(scope));
}
