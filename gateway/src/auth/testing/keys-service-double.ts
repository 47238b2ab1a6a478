import {
  API_KEY_USAGE_ROUTE,
  API_KEY_VERIFY_ROUTE,
  generateApiKeySecret,
  hashApiKeySecret,
  listen,
  verifySignedIdentity,
  type ApiKeyUsage,
  type RunningServer,
  type VerifiedApiKey,
} from "@pokewatch/kit";
import { fastify } from "fastify";

/**
 * A stand-in for the keys service's internal HTTP contract (kit's `api-keys/internal-routes.ts`)
 * over an in-memory map, for gateway tests and benches: services never import each other. It
 * checks the gateway's signature as the real routes do and counts the calls it gets.
 */
export interface KeysServiceDouble {
  url: string;
  /** Adds a key and returns its secret. */
  addKey(key: Partial<VerifiedApiKey> & { keyId: string }): string;
  revoke(keyId: string): void;
  calls: { verify: number; usage: number; refusedSignatures: number };
  usageBatches: ApiKeyUsage[][];
  close(): Promise<void>;
}

export async function startKeysServiceDouble(secret: string): Promise<KeysServiceDouble> {
  const keys = new Map<string, VerifiedApiKey>();
  const calls = { verify: 0, usage: 0, refusedSignatures: 0 };
  const usageBatches: ApiKeyUsage[][] = [];
  const app = fastify();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.post(API_KEY_VERIFY_ROUTE, (request, reply) => {
    const body = request.body as string;
    if (!verifySignedIdentity(request.headers, secret, { audience: "keys", body }).ok) {
      calls.refusedSignatures += 1;
      return reply.status(401).send({ errors: [{ message: "unsigned" }] });
    }
    calls.verify += 1;
    const { secretHash } = JSON.parse(body) as { secretHash: string };
    return reply.send({ key: keys.get(secretHash) ?? null });
  });
  app.post(API_KEY_USAGE_ROUTE, (request, reply) => {
    const body = request.body as string;
    if (!verifySignedIdentity(request.headers, secret, { audience: "keys", body }).ok) {
      calls.refusedSignatures += 1;
      return reply.status(401).send({ errors: [{ message: "unsigned" }] });
    }
    calls.usage += 1;
    usageBatches.push((JSON.parse(body) as { used: ApiKeyUsage[] }).used);
    return reply.status(204).send();
  });
  const server: RunningServer = await listen(app, { host: "127.0.0.1", port: 0 });
  return {
    url: server.url,
    addKey(key) {
      const secretText = generateApiKeySecret("test");
      keys.set(hashApiKeySecret(secretText).toString("hex"), {
        scopes: [],
        rateLimitPerMinute: 60,
        validUntil: null,
        ...key,
      });
      return secretText;
    },
    revoke(keyId) {
      for (const [hash, key] of keys) if (key.keyId === keyId) keys.delete(hash);
    },
    calls,
    usageBatches,
    close: () => server.close(),
  };
}
