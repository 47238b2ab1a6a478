import { createHash, randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * API key secrets: `pw_live_` or `pw_test_`, 32 base62 characters of randomness (190 bits), and a
 * 6-character base62 CRC32 of everything before it, as GitHub's tokens carry one. The checksum lets
 * the gateway refuse a mistyped or made-up key without touching storage.
 */
export const API_KEY_PREFIXES = ["pw_live_", "pw_test_"] as const;
export type ApiKeyPrefix = (typeof API_KEY_PREFIXES)[number];
export type ApiKeyEnvironment = "live" | "test";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_CHARS = 32;
const CHECKSUM_CHARS = 6;
const SECRET_FORMAT = /^(pw_live_|pw_test_)([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

function base62(value: number, width: number): string {
  let text = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) text = BASE62[rest % 62]! + text;
  return text.padStart(width, "0");
}

function checksumOf(body: string): string {
  return base62(crc32(body), CHECKSUM_CHARS);
}

/** A new random secret. */
export function generateApiKeySecret(environment: ApiKeyEnvironment = "live"): string {
  let random = "";
  for (let index = 0; index < RANDOM_CHARS; index += 1) random += BASE62[randomInt(62)];
  const body = `pw_${environment}_${random}`;
  return body + checksumOf(body);
}

/** True when the text has the shape and checksum of a PokeWatch key (it may still be unknown). */
export function isWellFormedApiKeySecret(secret: string): boolean {
  const match = SECRET_FORMAT.exec(secret);
  return match !== null && checksumOf(match[1]! + match[2]!) === match[3];
}

/** The SHA-256 of a secret: the only form in which a secret is stored or sent between services. */
export function hashApiKeySecret(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

/** `pw_live_` or `pw_test_` of a well-formed secret. */
export function apiKeyPrefixOf(secret: string): ApiKeyPrefix {
  return secret.slice(0, 8) as ApiKeyPrefix;
}

/** The last four characters, shown as `pw_live_…a1b2` so people can tell keys apart. */
export function apiKeyLastFour(secret: string): string {
  return secret.slice(-4);
}
