/**
 * Redis pub/sub channel on which the keys service (and `pnpm keys`) announce that a key changed in a
 * way that must reach every gateway at once: revoked or rotated. The message is JSON
 * `{"keyId": "key_…"}`; gateways drop every cached verification of that key.
 */
export const API_KEY_CHANGED_CHANNEL = "pokewatch:api-keys:changed";

export interface ApiKeyChangedMessage {
  keyId: string;
}

export function encodeApiKeyChanged(keyId: string): string {
  return JSON.stringify({ keyId } satisfies ApiKeyChangedMessage);
}

/** The key id of a channel message, or undefined for anything else. */
export function decodeApiKeyChanged(message: string): string | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<ApiKeyChangedMessage> | null;
    return typeof parsed?.keyId === "string" ? parsed.keyId : undefined;
  } catch {
    return undefined;
  }
}
