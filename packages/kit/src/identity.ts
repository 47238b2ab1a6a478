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
  /**
   * True when the gateway has already counted this operation against the `@rateLimit` field
   * limits; a subgraph's own limiter then counts nothing, so no field is counted twice.
   */
  fieldLimitsCounted: z.boolean().default(false),
  /** The calling key's request quota once this operation was counted; null when nothing was counted. */
  quota: z
    .object({ limit: z.number().int(), remaining: z.number().int(), resetAt: z.string() })
    .nullable()
    .default(null),
});

export type Identity = z.infer<typeof identitySchema>;

export function anonymousIdentity(requestId: string): Identity {
  return {
    keyId: null,
    scopes: [],
    plan: null,
    rateLimitPerMinute: null,
    requestId,
    fieldLimitsCounted: false,
    quota: null,
  };
}
