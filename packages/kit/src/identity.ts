import { z } from "zod";

/** Who is calling, as the gateway established it and signs onto every subgraph request. */
export const identitySchema = z.object({
  /** The API key's id (`key_…`), or null for an anonymous caller (auth not yet enforced). */
  keyId: z.string().nullable(),
  scopes: z.array(z.string()),
  /** The plan the key is on; decides quotas. Null for anonymous callers. */
  plan: z.string().nullable(),
  /** The key's own request quota; null for anonymous callers. */
  rateLimitPerMinute: z.number().int().positive().nullable().default(null),
  requestId: z.string(),
});

export type Identity = z.infer<typeof identitySchema>;

export function anonymousIdentity(requestId: string): Identity {
  return { keyId: null, scopes: [], plan: null, rateLimitPerMinute: null, requestId };
}
