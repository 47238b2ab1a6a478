import {
  API_KEY_SCOPES,
  anonymousIdentity,
  isWellFormedApiKeySecret,
  pokewatchError,
  type Identity,
  type Logger,
} from "@pokewatch/kit";
import type { GraphQLError } from "graphql";
import { readApiKeyHeader } from "./api-key-header.js";
import type { ApiKeyVerifier } from "./api-key-verifier.js";
import { KeysServiceUnavailableError } from "./keys-service-client.js";
import type { UsageReporter } from "./usage-reporter.js";

type HeaderBag = Record<string, string | string[] | undefined>;

/** Turns a request's headers into the identity signed onto every subgraph call. */
export interface Authenticator {
  /** Throws a GraphQLError (401 UNAUTHENTICATED, 503 SERVICE_UNAVAILABLE) that ends the request. */
  authenticate(headers: HeaderBag, requestId: string, logger: Logger): Promise<Identity>;
}

const REALM = 'Bearer realm="pokewatch"';

function unauthenticated(message: string, invalidToken: boolean): GraphQLError {
  return pokewatchError("UNAUTHENTICATED", message, {
    endsRequest: true,
    headers: { "www-authenticate": invalidToken ? `${REALM}, error="invalid_token"` : REALM },
  });
}

/** Every caller is anonymous and holds every scope: local development only. */
export function openAuthenticator(): Authenticator {
  return {
    authenticate: (_headers, requestId) =>
      Promise.resolve({ ...anonymousIdentity(requestId), scopes: [...API_KEY_SCOPES] }),
  };
}

/** Requires a valid API key on every request; the presented secret is never logged nor echoed. */
export function apiKeyAuthenticator(verifier: ApiKeyVerifier, usage: Pick<UsageReporter, "record">): Authenticator {
  return {
    async authenticate(headers, requestId, logger) {
      const presented = readApiKeyHeader(headers);
      if (presented.kind === "missing") {
        throw unauthenticated("An API key is required: send it in x-api-key or as Authorization: Bearer <key>", false);
      }
      if (presented.kind === "malformed" || !isWellFormedApiKeySecret(presented.secret)) {
        throw unauthenticated("The API key is malformed: it is not a PokeWatch key (pw_live_… or pw_test_…)", true);
      }
      let key;
      try {
        key = await verifier.verify(presented.secret);
      } catch (error) {
        if (!(error instanceof KeysServiceUnavailableError)) throw error;
        logger.error({ err: { message: error.message } }, "cannot verify an API key: the keys service did not answer");
        throw pokewatchError("SERVICE_UNAVAILABLE", "API keys cannot be verified right now; retrying later is safe", {
          endsRequest: true,
          extensions: { serviceName: "keys" },
        });
      }
      if (!key) throw unauthenticated("The API key is unknown, expired or revoked", true);
      usage.record(key.keyId);
      return {
        ...anonymousIdentity(requestId),
        keyId: key.keyId,
        scopes: [...key.scopes],
        rateLimitPerMinute: key.rateLimitPerMinute,
      };
    },
  };
}
