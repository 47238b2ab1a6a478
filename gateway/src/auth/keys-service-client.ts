import {
  API_KEY_USAGE_ROUTE,
  API_KEY_VERIFY_ROUTE,
  anonymousIdentity,
  signIdentity,
  type ApiKeyUsage,
  type VerifiedApiKey,
} from "@pokewatch/kit";
import { randomUUID } from "node:crypto";

/** The keys service's internal routes, as the gateway calls them. */
export interface KeysServiceClient {
  /** The key whose secret has this SHA-256, or null when unknown, revoked or expired. */
  verify(secretHash: Buffer): Promise<VerifiedApiKey | null>;
  recordUsage(used: ApiKeyUsage[]): Promise<void>;
}

/** The keys service did not answer usefully; clients see SERVICE_UNAVAILABLE, never "authenticated". */
export class KeysServiceUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KeysServiceUnavailableError";
  }
}

export interface KeysServiceClientOptions {
  /** The keys service's origin, e.g. `http://127.0.0.1:4002`; a path on it is ignored. */
  url: string;
  /** The keys subgraph's secret (SUBGRAPH_SECRET_KEYS, else SUBGRAPH_SECRET): the internal routes are signed like its /graphql. */
  secret: string;
  /** @default 2000 */
  timeoutMs?: number;
}

/** Signed POSTs with Node's fetch (audience `keys`, method, route and body signed), under a timeout. */
export function createKeysServiceClient({
  url,
  secret,
  timeoutMs = 2_000,
}: KeysServiceClientOptions): KeysServiceClient {
  if (!URL.canParse(url))
    throw new Error(`keys service URL must be an absolute http(s) URL; got ${JSON.stringify(url)}`);
  const origin = new URL(url).origin;

  async function post(route: string, payload: unknown): Promise<Response> {
    const body = JSON.stringify(payload);
    const headers = {
      "content-type": "application/json",
      ...signIdentity(anonymousIdentity(randomUUID()), secret, { audience: "keys", method: "POST", path: route, body }),
    };
    let response: Response;
    try {
      response = await fetch(origin + route, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new KeysServiceUnavailableError(`keys service did not answer ${route}`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new KeysServiceUnavailableError(`keys service answered ${route} with HTTP ${response.status}`);
    }
    return response;
  }

  return {
    async verify(secretHash) {
      const response = await post(API_KEY_VERIFY_ROUTE, { secretHash: secretHash.toString("hex") });
      let answer: { key?: VerifiedApiKey | null };
      try {
        answer = (await response.json()) as { key?: VerifiedApiKey | null };
      } catch (error) {
        throw new KeysServiceUnavailableError("keys service sent an unreadable verify answer", { cause: error });
      }
      if (answer.key === undefined)
        throw new KeysServiceUnavailableError("keys service sent a verify answer without key");
      return answer.key;
    },
    async recordUsage(used) {
      const response = await post(API_KEY_USAGE_ROUTE, { used });
      await response.body?.cancel();
    },
  };
}
