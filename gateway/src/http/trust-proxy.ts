import { isIP } from "node:net";

/** What Fastify's `trustProxy` gets: off, every hop, or the proxies to believe (addresses, CIDRs, presets). */
export type TrustProxy = boolean | string;

const PRESETS = new Set(["loopback", "linklocal", "uniquelocal"]);

function isTrustedProxyEntry(entry: string): boolean {
  if (PRESETS.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: whether, and from which peers, `X-Forwarded-For` names the client. `false` (the
 * default): never — the client is the TCP peer. `true`: every hop is believed, so the leftmost
 * address wins — only behind a proxy that overwrites the header. Otherwise a comma-separated list
 * of the proxies' addresses or CIDRs, or `loopback`, `linklocal`, `uniquelocal`: the client is the
 * rightmost address not in the list. Throws naming the bad entry. (Hop counts are not accepted:
 * Fastify 5 ignores them, failing closed.)
 */
export function parseTrustProxy(value: string): TrustProxy {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed === "false" || trimmed === "0") return false;
  if (trimmed === "true" || trimmed === "1") return true;
  const entries = trimmed.split(",").map((entry) => entry.trim());
  const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
  if (bad !== undefined) {
    throw new Error(
      `${JSON.stringify(bad)} is not an IP address, a CIDR or loopback/linklocal/uniquelocal; use true, false or a comma-separated list of those`,
    );
  }
  return entries.join(",");
}
