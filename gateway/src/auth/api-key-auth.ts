import {
  API_KEY_SCOPES,
  anonymousIdentity,
  isWellFormedApiKeySecret,
  pokewatchError,
  type Identity,
  type Logger,
  type VerifiedApiKey,
} from "@pokewatch/kit";
import type { GraphQLError } from "graphql";
import { retryAfterSeconds } from "../rate-limits/rate-limit-headers.js";
import { readApiKeyHeader } from "./api-key-header.js";
import type { ApiKeyVerifier } from "./api-key-verifier.js";
import { clientBucketOf } from "./client-address.js";
import type { FailedAuthThrottle } from "./failed-auth-throttle.js";
import { KeysServiceUnavailableError } from "./keys-service-client.js";
import type { UsageReporter } from "./usage-reporter.js";

type HeaderBag = Record<string, string | string[] | undefined>;

/** Turns a request's headers into the identity signed onto every subgraph call. */
export interface Authenticator {
  /**
   * Throws a GraphQLError (401 UNAUTHENTICATED, 429 RATE_LIMITED, 503 SERVICE_UNAVAILABLE) that
   * ends the request. `clientAddress` is the caller's IP as Fastify sees it (TRUST_PROXY).
   */
  authenticate(headers: HeaderBag, requestId: string, logger: Logger, clientAddress?: string): Promise<Identity>;
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

function throttled(retryAfterMs: number): GraphQLError {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  return pokewatchError(
    "RATE_LIMITED",
    `Too many failed authentications from this address; retry in ${retryAfter} s with a valid API key.`,
    { endsRequest: true, headers: { "retry-after": String(retryAfter) }, extensions: { retryAfter } },
  );
}

export interface ApiKeyAuthenticatorOptions {
  verifier: ApiKeyVerifier;
  usage: Pick<UsageReporter, "record">;
  /** Failed authentications per client address; without it, failures are not throttled. */
  throttle?: FailedAuthThrottle | undefined;
  /** Called when a request is refused for its address' failures (a metric). */
  onThrottled?: () => void;
}

/**
 * Requires a valid API key on every request; the presented secret is never logged nor echoed.
 * A key this gateway trusts from its cache passes at once. Any other request first takes a point
 * from its client address' failed-auth bucket — refused 429 when it is empty, before any lookup —
 * and gives it back if the key proves valid, so only failures (missing, malformed, unknown,
 * expired, revoked) count. A secret that was valid before is exempt (it is no forgery): a
 * legitimate client sharing an address with an attacker keeps working when its cached trust lapses.
 */
export function apiKeyAuthenticator({
  verifier,
  usage,
  throttle,
  onThrottled,
}: ApiKeyAuthenticatorOptions): Authenticator {
  const identityOf = (key: VerifiedApiKey, requestId: string): Identity => {
    usage.record(key.keyId);
    return {
      ...anonymousIdentity(requestId),
      keyId: key.keyId,
      scopes: [...key.scopes],
      rateLimitPerMinute: key.rateLimitPerMinute,
    };
  };
  return {
    async authenticate(headers, requestId, logger, clientAddress) {
      const presented = readApiKeyHeader(headers);
      const secret =
        presented.kind === "present" && isWellFormedApiKeySecret(presented.secret) ? presented.secret : undefined;
      const trusted = secret === undefined ? undefined : verifier.cached(secret);
      if (trusted) return identityOf(trusted, requestId);

      const bucket = clientBucketOf(clientAddress);
      const counted = throttle !== undefined && !(secret !== undefined && verifier.knownValid(secret));
      if (counted) {
        const decision = await throttle.take(bucket);
        if (!decision.allowed) {
          onThrottled?.();
          logger.debug({ client: bucket }, "refused a request: too many failed authentications from its address");
          throw throttled(decision.retryAfterMs);
        }
      }
      if (presented.kind === "missing") {
        throw unauthenticated("An API key is required: send it in x-api-key or as Authorization: Bearer <key>", false);
      }
      // eslint-disable-next-line security/detect-possible-timing-attacks -- a check for no key, not a comparison of two secrets
      if (secret === undefined) {
        throw unauthenticated("The API key is malformed: it is not a PokeWatch key (pw_live_… or pw_test_…)", true);
      }
      let key;
      try {
        key = await verifier.verify(secret);
      } catch (error) {
        if (!(error instanceof KeysServiceUnavailableError)) throw error;
        // Not the client's failure: its point goes back.
        if (counted) await throttle.forgive(bucket);
        logger.error({ err: { message: error.message } }, "cannot verify an API key: the keys service did not answer");
        throw pokewatchError("SERVICE_UNAVAILABLE", "API keys cannot be verified right now; retrying later is safe", {
          endsRequest: true,
          extensions: { serviceName: "keys" },
        });
      }
      if (!key) {
        // A once-valid secret (now revoked or expired) skipped the bucket: its failure counts now.
        if (throttle !== undefined && !counted) await throttle.take(bucket);
        throw unauthenticated("The API key is unknown, expired or revoked", true);
      }
      if (counted) await throttle.forgive(bucket);
      return identityOf(key, requestId);
    },
  };
}
