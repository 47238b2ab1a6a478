type HeaderBag = Record<string, string | string[] | undefined>;

/** What a request presents: no key, a key that cannot be read, or the key's text. */
export type PresentedApiKey = { kind: "missing" } | { kind: "malformed" } | { kind: "present"; secret: string };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function single(headers: HeaderBag, name: string): string | undefined | null {
  const value = headers[name];
  // A repeated header is ambiguous: refuse it rather than pick one.
  if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
  return value;
}

/**
 * The API key a request presents, in `x-api-key` or as `Authorization: Bearer <key>`. Both present
 * and different, a repeated header, or an `Authorization` that is not a bearer token: malformed.
 */
export function readApiKeyHeader(headers: HeaderBag): PresentedApiKey {
  const direct = single(headers, "x-api-key");
  const authorization = single(headers, "authorization");
  if (direct === null || authorization === null) return { kind: "malformed" };
  let bearer: string | undefined;
  if (authorization !== undefined && authorization.trim() !== "") {
    const match = BEARER.exec(authorization);
    if (!match) return { kind: "malformed" };
    bearer = match[1];
  }
  const key = direct?.trim() || undefined;
  if (key !== undefined && bearer !== undefined && key !== bearer) return { kind: "malformed" };
  const secret = key ?? bearer;
  return secret === undefined ? { kind: "missing" } : { kind: "present", secret };
}
