import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { identitySchema, type Identity } from "./identity.js";

export const IDENTITY_HEADER = "x-pokewatch-identity";
export const TIMESTAMP_HEADER = "x-pokewatch-timestamp";
export const SIGNATURE_HEADER = "x-pokewatch-signature";

const VERSION = "v1";
const SIGNATURE_FORMAT = /^v1=([0-9a-f]{64})$/;
/** How far a signature's timestamp may be from the verifier's clock. @default 5 minutes */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export type SignedHeaders = Record<typeof IDENTITY_HEADER | typeof TIMESTAMP_HEADER | typeof SIGNATURE_HEADER, string>;

/** What a signature is bound to besides the identity: which subgraph it is for, and the exact body sent. */
export interface SignedRequest {
  /** The subgraph's name (`pricing`, `keys`, `pipeline`): a signature for one is refused by the others. */
  audience: string;
  /** The raw request body, so a captured signature cannot carry another operation. */
  body: string;
}

function mac(secret: string, timestamp: string, identity: string, { audience, body }: SignedRequest): Buffer {
  const bodyDigest = createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", secret).update(`${VERSION}.${timestamp}.${audience}.${bodyDigest}.${identity}`).digest();
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
  const timestamp = String(now);
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `${VERSION}=${mac(secret, timestamp, encoded, request).toString("hex")}`,
  };
}

/**
 * Headers the gateway adds to a subgraph request: the identity, when it was signed, and an
 * HMAC-SHA256 over both, the subgraph it is for and the body.
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

/**
 * Subgraph side: accepts only an identity signed with the shared secret, for this subgraph and
 * this body, within the allowed clock skew. The reason is for logs, not for the caller.
 */
export function verifySignedIdentity(
  headers: HeaderBag,
  secret: string,
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
  const given = Buffer.from(match?.[1] ?? "", "hex");
  const expected = mac(secret, timestamp, encoded, request);
  if (!match || given.length !== expected.length || !timingSafeEqual(given, expected)) {
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
