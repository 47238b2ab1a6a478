import {
  API_KEY_USAGE_ROUTE,
  API_KEY_VERIFY_ROUTE,
  MAX_USAGES_PER_BATCH,
  registerSignedRoute,
  type ApiKeyUsage,
  type FastifyInstance,
  type SignedRouteOptions,
  type VerifiedApiKey,
} from "@pokewatch/kit";
import { z } from "zod";
import type { ApiKeyStore } from "../keys/api-key-store.js";

const verifyBody = z.strictObject({
  secretHash: z.string().regex(/^[0-9a-f]{64}$/i, "must be the SHA-256 of the secret, as 64 hex characters"),
});

const usageBody = z.strictObject({
  used: z
    .array(
      z.strictObject({
        keyId: z.string().min(1, "must not be empty"),
        at: z.iso.datetime({ offset: true, message: "must be an ISO 8601 instant" }),
      }),
    )
    .max(MAX_USAGES_PER_BATCH, `must hold at most ${MAX_USAGES_PER_BATCH} usages`),
});

type Reply = Parameters<SignedRouteOptions["handler"]>[1];

function badRequest(reply: Reply, route: string, error: z.ZodError) {
  const problems = error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
  return reply
    .status(400)
    .send({ errors: [{ message: `Invalid body for ${route}: ${problems}`, extensions: { code: "BAD_REQUEST" } }] });
}

/**
 * The gateway's private routes (contract in kit's `api-keys/internal-routes.ts`): verifying a
 * secret by its hash, and recording when keys were last used. Signed like `/graphql`.
 */
export function registerInternalRoutes(app: FastifyInstance, store: ApiKeyStore): void {
  registerSignedRoute(app, {
    url: API_KEY_VERIFY_ROUTE,
    async handler(request, reply) {
      const body = verifyBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, API_KEY_VERIFY_ROUTE, body.error);
      const key: VerifiedApiKey | null = await store.verify(Buffer.from(body.data.secretHash, "hex"));
      return reply.status(200).send({ key });
    },
  });
  registerSignedRoute(app, {
    url: API_KEY_USAGE_ROUTE,
    async handler(request, reply) {
      const body = usageBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, API_KEY_USAGE_ROUTE, body.error);
      const used: ApiKeyUsage[] = body.data.used;
      if (used.length > 0) await store.recordUsage(used);
      return reply.status(204).send();
    },
  });
}
