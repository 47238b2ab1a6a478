import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { identitySchema, type Identity } from "./identity.js";

export const IDENTITY_HEADER = "x-pokewatch-identity";
export const TIMESTAMP_HEADER = "x-pokewatch-timestamp";
export const SIGNATURE_HEADER = "x-pokewatch-signature";

/**
 * The signature scheme: the prefix of `x-pokewatch-signature` and the first line of what is signed,
 * so a change of what is covered is a new version a verifier refuses by name, never a silent mismatch.
 */
export const SIGNATURE_VERSION = "v2";
const SIGNATURE_FORMAT = /^(v\d{1,3})=([0-9a-f]{64})$/;
/** How far a signature's timestamp may be from the verifier's clock. @default 5 minutes */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export type SignedHeaders = Record<typeof IDENTITY_HEADER | typeof TIMESTAMP_HEADER | typeof SIGNATURE_HEADER, string>;

/** What a signature is bound to besides the identity and the time. */
export interface SignedRequest {
  /** The subgraph's name (`pricing`, `keys`, `pipeline`): a signature for one is refused by the others. */
  audience: string;
  /** The HTTP method (`POST`). */
  method: string;
  /** The request target as sent: path and query (`/graphql`, `/internal/api-keys/verify`). */
  path: string;
  /** The raw request body, so a captured signature cannot carry another operation. */
  body: string;
}

/**
 * The signed string, one field a line: version, timestamp, method, path with query, audience,
 * SHA-256 of the body, identity. No field can hold a line break (HTTP forbids one in a method,
 * target or header; the rest are digits, hex, base64url or a configured name), so no two
 * requests share a string.
 */
export function canonicalRequest(timestamp: string, identity: string, request: SignedRequest): string {
  const bodyDigest = createHash("sha256").update(request.body).digest("hex");
  return [
    SIGNATURE_VERSION,
    timestamp,
    request.method.toUpperCase(),
    request.path,
    request.audience,
    bodyDigest,
    identity,
  ].join("\n");
}

function mac(secret: string, timestamp: string, identity: string, request: SignedRequest): Buffer {
  return createHmac("sha256", secret)
    .update(canonicalRequest(timestamp, identity, request))
    .digest();
}

function assertSignable({ audience, method, path }: SignedRequest): void {
  if (!/^[A-Za-z]+$/.test(method)) throw new Error(`cannot sign method ${JSON.stringify(method)}: letters only`);
  if (!path.startsWith("/") || /[\r\n]/.test(path)) {
    throw new Error(`cannot sign path ${JSON.stringify(path)}: it must start with / and hold no line break`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(audience)) {
    throw new Error(`cannot sign for subgraph ${JSON.stringify(audience)}: letters, digits, _ and - only`);
  }
}

/** The identity as it travels in `x-pokewatch-identity`: base64url JSON. */
export function encodeIdentity(identity: Identity): string {
  return Buffer.from(JSON.stringify(identity)).toString("base64url");
}

/** Timestamp and signature headers for an already encoded identity (the gateway signs once the body exists). */
export function signEncodedIdentity(
  encoded: string,
  secret: string,
  request: SignedRequest,
  now = Date.now(),
): Omit<SignedHeaders, typeof IDENTITY_HEADER> {
  assertSignable(request);
  const timestamp = String(now);
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `${SIGNATURE_VERSION}=${mac(secret, timestamp, encoded, request).toString("hex")}`,
  };
}

/**
 * Headers the gateway adds to a subgraph request: the identity, when it was signed, and an
 * HMAC-SHA256 under the subgraph's secret over both and the request (method, path, subgraph, body).
 */
export function signIdentity(
  identity: Identity,
  secret: string,
  request: SignedRequest,
  now = Date.now(),
): SignedHeaders {
  const encoded = encodeIdentity(identity);
  return { [IDENTITY_HEADER]: encoded, ...signEncodedIdentity(encoded, secret, request, now) };
}

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; reason: string };

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** True when the three signing headers are present at all: a cheap first check before the body is read. */
export function hasSignatureHeaders(headers: HeaderBag): boolean {
  return Boolean(
    single(headers, IDENTITY_HEADER) && single(headers, TIMESTAMP_HEADER) && single(headers, SIGNATURE_HEADER),
  );
}

function matchesAny(
  given: Buffer,
  secrets: readonly string[],
  timestamp: string,
  encoded: string,
  request: SignedRequest,
) {
  let matched = false;
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const secret of secrets) {
    const expected = mac(secret, timestamp, encoded, request);
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

/**
 * Subgraph side: accepts only an identity signed with one of `secrets` (the current one, and the
 * previous one while a rotation is under way), for this subgraph and this exact request, within
 * the allowed clock skew. The reason is for logs, not for the caller.
 */
export function verifySignedIdentity(
  headers: HeaderBag,
  secrets: string | readonly string[],
  request: SignedRequest,
  { now = Date.now(), maxSkewMs = DEFAULT_MAX_SKEW_MS } = {},
): VerifyResult {
  const encoded = single(headers, IDENTITY_HEADER);
  const timestamp = single(headers, TIMESTAMP_HEADER);
  const signature = single(headers, SIGNATURE_HEADER);
  if (!encoded || !timestamp || !signature) return { ok: false, reason: "request is not signed by the gateway" };

  const signedAt = Number(timestamp);
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(now - signedAt) > maxSkewMs) {
    return { ok: false, reason: "signature timestamp is outside the allowed window" };
  }
  const match = SIGNATURE_FORMAT.exec(signature);
  if (match && match[1] !== SIGNATURE_VERSION) {
    return {
      ok: false,
      reason: `signature version ${match[1]} is not accepted (this service verifies ${SIGNATURE_VERSION})`,
    };
  }
  const accepted = typeof secrets === "string" ? [secrets] : secrets;
  if (!match || !matchesAny(Buffer.from(match[2]!, "hex"), accepted, timestamp, encoded, request)) {
    return { ok: false, reason: "signature does not match" };
  }

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "identity is not valid JSON" };
  }
  const parsed = identitySchema.safeParse(decoded);
  return parsed.success ? { ok: true, identity: parsed.data } : { ok: false, reason: "identity has the wrong shape" };
}
