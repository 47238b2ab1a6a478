import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Identity } from "./identity.js";
import {
  DEFAULT_MAX_SKEW_MS,
  IDENTITY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signIdentity,
  verifySignedIdentity,
  type SignedHeaders,
  type SignedRequest,
} from "./signing.js";

const SECRET = "signing-test-secret-with-32-chars-or-more";
const NOW = 1_769_828_400_000;
const identity: Identity = {
  keyId: "key_abc",
  scopes: ["prices:read"],
  plan: "free",
  rateLimitPerMinute: 60,
  fieldLimitsCounted: false,
  quota: null,
  requestId: "req-1",
};

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const REQUEST: SignedRequest = {
  audience: "pricing",
  method: "POST",
  path: "/graphql",
  body: '{"query":"{ card(id: \\"sv3pt5-6\\") { name } }"}',
};
/**
 * Signs an arbitrary identity payload the way the gateway does: v2 = HMAC-SHA256 over
 * "v2\n<ts>\n<METHOD>\n<path>\n<audience>\n<sha256(body)>\n<identity>".
 */
function signRaw(encoded: string, timestamp = String(NOW), secret = SECRET): SignedHeaders {
  const digest = createHash("sha256").update(REQUEST.body).digest("hex");
  const hex = createHmac("sha256", secret)
    .update(["v2", timestamp, REQUEST.method, REQUEST.path, REQUEST.audience, digest, encoded].join("\n"))
    .digest("hex");
  return { [IDENTITY_HEADER]: encoded, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v2=${hex}` };
}
const verify = (headers: Record<string, string | string[] | undefined>, options = {}) =>
  verifySignedIdentity(headers, SECRET, REQUEST, { now: NOW, ...options });

describe("signIdentity / verifySignedIdentity", () => {
  it("round-trips an identity", () => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    expect(verify(headers)).toEqual({ ok: true, identity });
    expect(verify({ ...headers, "content-type": "application/json" })).toEqual({ ok: true, identity });
  });

  it("refuses an identity header tampered with after signing", () => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    const tampered = {
      ...headers,
      [IDENTITY_HEADER]: encode({ ...identity, scopes: [...identity.scopes, "keys:admin"] }),
    };
    expect(verify(tampered)).toEqual({ ok: false, reason: "signature does not match" });
  });

  it.each<[string, Partial<SignedRequest>]>([
    ["another subgraph", { audience: "keys" }],
    ["another body", { body: '{"query":"{ apiKeys { edges { node { id } } } }"}' }],
    ["a body changed by one byte", { body: REQUEST.body.replace("sv3pt5-6", "sv3pt5-7") }],
    ["another method", { method: "GET" }],
    ["another path", { path: "/internal/api-keys/verify" }],
    ["another query string", { path: "/graphql?debug=1" }],
  ])("refuses a signature presented with %s", (_case, change) => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    expect(verifySignedIdentity(headers, SECRET, { ...REQUEST, ...change }, { now: NOW })).toEqual({
      ok: false,
      reason: "signature does not match",
    });
  });

  it("signs the method case-insensitively, as HTTP sends it", () => {
    const headers = signIdentity(identity, SECRET, { ...REQUEST, method: "post" }, NOW);
    expect(verify(headers).ok).toBe(true);
  });

  it("refuses a signature made with another secret", () => {
    const headers = signIdentity(identity, "another-secret-that-is-also-32-characters", REQUEST, NOW);
    expect(verify(headers)).toEqual({ ok: false, reason: "signature does not match" });
  });

  it("accepts either of the secrets it is given (a rotation), and no other", () => {
    const previous = "the-previous-secret-also-32-characters-long";
    const accepted = [SECRET, previous];
    const check = (secret: string) =>
      verifySignedIdentity(signIdentity(identity, secret, REQUEST, NOW), accepted, REQUEST, { now: NOW });
    expect(check(SECRET)).toEqual({ ok: true, identity });
    expect(check(previous)).toEqual({ ok: true, identity });
    expect(check("a-third-secret-nobody-accepts-32-chars-long").ok).toBe(false);
    // After the rotation only the current one is given.
    const afterRotation = verifySignedIdentity(signIdentity(identity, previous, REQUEST, NOW), [SECRET], REQUEST, {
      now: NOW,
    });
    expect(afterRotation).toEqual({ ok: false, reason: "signature does not match" });
    expect(verifySignedIdentity(signIdentity(identity, SECRET, REQUEST, NOW), [], REQUEST, { now: NOW }).ok).toBe(
      false,
    );
  });

  it("refuses a re-used timestamp (the signature covers it)", () => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    expect(verify({ ...headers, [TIMESTAMP_HEADER]: String(NOW + 1) }).ok).toBe(false);
  });

  it("accepts skew up to maxSkewMs and refuses beyond, in both directions", () => {
    const maxSkewMs = 30_000;
    expect(verify(signIdentity(identity, SECRET, REQUEST, NOW - maxSkewMs), { maxSkewMs }).ok).toBe(true);
    expect(verify(signIdentity(identity, SECRET, REQUEST, NOW - maxSkewMs - 1), { maxSkewMs })).toEqual({
      ok: false,
      reason: "signature timestamp is outside the allowed window",
    });
    expect(verify(signIdentity(identity, SECRET, REQUEST, NOW + maxSkewMs + 1), { maxSkewMs }).ok).toBe(false);
    expect(verify(signIdentity(identity, SECRET, REQUEST, NOW - DEFAULT_MAX_SKEW_MS - 1)).ok).toBe(false);
  });

  it("refuses a timestamp that is not a plain number", () => {
    for (const timestamp of ["1.7e12", "-1", "", "abc", `${NOW} `]) {
      expect(verify(signRaw(encode(identity), timestamp)).ok).toBe(false);
    }
  });

  it.each([IDENTITY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER])("refuses a request without %s", (name) => {
    const headers: Record<string, string | undefined> = { ...signIdentity(identity, SECRET, REQUEST, NOW) };
    delete headers[name];
    expect(verify(headers)).toEqual({ ok: false, reason: "request is not signed by the gateway" });
    expect(verify({})).toEqual({ ok: false, reason: "request is not signed by the gateway" });
  });

  it("refuses repeated signing headers", () => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: [headers[SIGNATURE_HEADER], headers[SIGNATURE_HEADER]] }).ok).toBe(
      false,
    );
  });

  it("refuses a non-hex signature and a wrong version prefix", () => {
    const headers = signIdentity(identity, SECRET, REQUEST, NOW);
    const hex = headers[SIGNATURE_HEADER].slice("v2=".length);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `v2=${"z".repeat(64)}` }).ok).toBe(false);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `v3=${hex}` })).toEqual({
      ok: false,
      reason: "signature version v3 is not accepted (this service verifies v2)",
    });
    expect(verify({ ...headers, [SIGNATURE_HEADER]: hex }).ok).toBe(false);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `v2=${hex.slice(0, 32)}` }).ok).toBe(false);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `v2=${hex}zz` }).ok).toBe(false);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `v2=${hex}=junk` }).ok).toBe(false);
    expect(verify({ ...headers, [SIGNATURE_HEADER]: `V2=${hex}` }).ok).toBe(false);
  });

  it("refuses a v1 signature (method and path unsigned), naming its version", () => {
    // v1 signed "v1.<ts>.<audience>.<sha256(body)>.<identity>": valid for any method and path.
    const encoded = encode(identity);
    const digest = createHash("sha256").update(REQUEST.body).digest("hex");
    const v1 = createHmac("sha256", SECRET).update(`v1.${NOW}.${REQUEST.audience}.${digest}.${encoded}`).digest("hex");
    const headers = { [IDENTITY_HEADER]: encoded, [TIMESTAMP_HEADER]: String(NOW), [SIGNATURE_HEADER]: `v1=${v1}` };
    expect(verify(headers)).toEqual({
      ok: false,
      reason: "signature version v1 is not accepted (this service verifies v2)",
    });
  });

  it("refuses to sign what could not be told apart from another request", () => {
    expect(() => signIdentity(identity, SECRET, { ...REQUEST, path: "/graphql\npricing" }, NOW)).toThrow(/path/);
    expect(() => signIdentity(identity, SECRET, { ...REQUEST, path: "graphql" }, NOW)).toThrow(/path/);
    expect(() => signIdentity(identity, SECRET, { ...REQUEST, method: "PO ST" }, NOW)).toThrow(/method/);
    expect(() => signIdentity(identity, SECRET, { ...REQUEST, audience: "keys\n" }, NOW)).toThrow(/subgraph/);
  });

  it("refuses a correctly signed identity of the wrong shape", () => {
    const { scopes: _dropped, ...withoutScopes } = identity;
    expect(verify(signRaw(encode(withoutScopes)))).toEqual({ ok: false, reason: "identity has the wrong shape" });
    expect(verify(signRaw(encode({ ...identity, keyId: 42 })))).toEqual({
      ok: false,
      reason: "identity has the wrong shape",
    });
  });

  it("refuses a correctly signed identity that is not JSON", () => {
    const encoded = Buffer.from("{not json").toString("base64url");
    expect(verify(signRaw(encoded))).toEqual({ ok: false, reason: "identity is not valid JSON" });
  });

  it("matches the wire format signRaw documents", () => {
    const encoded = encode(identity);
    expect(signIdentity(identity, SECRET, REQUEST, NOW)).toEqual(signRaw(encoded));
  });
});
