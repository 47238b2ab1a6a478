import { createHmac, timingSafeEqual } from "node:crypto";
import { identitySchema, type Identity } from "./identity.js";

export const IDENTITY_HEADER = "x-pokewatch-identity";
export const TIMESTAMP_HEADER = "x-pokewatch-timestamp";
export const SIGNATURE_HEADER = "x-pokewatch-signature";

const VERSION = "v1";
const SIGNATURE_FORMAT = /^v1=([0-9a-f]{64})$/;
/** How far a signature's timestamp may be from the verifier's clock. @default 5 minutes */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export type SignedHeaders = Record<typeof IDENTITY_HEADER | typeof TIMESTAMP_HEADER | typeof SIGNATURE_HEADER, string>;

function mac(secret: string, timestamp: string, identity: string): Buffer {
  return createHmac("sha256", secret).update(`${VERSION}.${timestamp}.${identity}`).digest();
}

/** Headers the gateway adds to a subgraph request: the identity, when it was signed, and the HMAC over both. */
export function signIdentity(identity: Identity, secret: string, now = Date.now()): SignedHeaders {
  const encoded = Buffer.from(JSON.stringify(identity)).toString("base64url");
  const timestamp = String(now);
  return {
    [IDENTITY_HEADER]: encoded,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `${VERSION}=${mac(secret, timestamp, encoded).toString("hex")}`,
  };
}

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; reason: string };

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** Subgraph side: accepts only an identity signed with the shared secret within the allowed clock skew. */
export function verifySignedIdentity(
  headers: HeaderBag,
  secret: string,
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
  const expected = mac(secret, timestamp, encoded);
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
