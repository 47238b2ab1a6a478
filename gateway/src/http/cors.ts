import cors from "@fastify/cors";
import type { FastifyInstance } from "@pokewatch/kit";

/** A page on this machine (a frontend's dev server): what CORS_ORIGINS left unset allows outside production. */
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, and every quantifier is bounded ({1,5}, ?): linear in the Origin
export const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** What @fastify/cors gets: `*` (sent literally), a list, the loopback pattern, or no origin at all. */
export type CorsOrigin = "*" | string[] | RegExp | false;

export interface CorsPolicy {
  origin: CorsOrigin;
  /** Logged once at start-up, as a warning. */
  warning?: string;
}

const EXAMPLE = "e.g. CORS_ORIGINS=https://app.example.com,https://admin.example.com";

/**
 * CORS_ORIGINS read: `undefined` when unset (or empty), `*`, `none` (no browser origin), or a list
 * of origins written as browsers send them. Throws a message stating the form on anything else.
 */
export function parseCorsOrigins(setting: string | undefined): "*" | string[] | undefined {
  const value = setting?.trim() ?? "";
  if (value === "") return undefined;
  if (value === "*") return "*";
  if (value === "none") return [];
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (entry === "*" || entry === "none") {
      throw new Error(`"${entry}" must be the whole value, not one entry of a list`);
    }
    const origin = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!origin || !["http:", "https:"].includes(origin.protocol)) {
      throw new Error(`"${entry}" is not an http(s) origin (${EXAMPLE})`);
    }
    if (origin.origin !== entry) {
      throw new Error(`"${entry}" is not written as browsers send it: use "${origin.origin}" (no path, no trailing /)`);
    }
  }
  return entries;
}

/**
 * Who may call the API from a browser. Unset: loopback pages outside production, and in production
 * a refusal to start: there the origins must be listed, or `none`, or `*` chosen on purpose (then
 * logged as a warning). Errors name CORS_ORIGINS.
 */
export function resolveCorsPolicy(setting: string | undefined, nodeEnv: string): CorsPolicy {
  let parsed: ReturnType<typeof parseCorsOrigins>;
  try {
    parsed = parseCorsOrigins(setting);
  } catch (error) {
    throw new Error(`CORS_ORIGINS: ${(error as Error).message}`);
  }
  const production = nodeEnv === "production";
  if (parsed === undefined) {
    if (!production) return { origin: LOOPBACK_ORIGIN };
    throw new Error(
      `CORS_ORIGINS is not set: with NODE_ENV=production list the browser origins allowed to call the API (${EXAMPLE}), ` +
        "or set CORS_ORIGINS=none for no browser calls, or CORS_ORIGINS=* to allow every origin on purpose",
    );
  }
  if (parsed === "*") {
    return production
      ? {
          origin: "*",
          warning:
            "CORS_ORIGINS=* in production: any web page may call this API from its visitors' browsers; list the origins to narrow it",
        }
      : { origin: "*" };
  }
  return { origin: parsed.length ? parsed : false };
}

/** Lets browser frontends call the API from the allowed origins and read `x-request-id`. */
export async function registerCors(app: FastifyInstance, policy: CorsPolicy): Promise<void> {
  await app.register(cors, { origin: policy.origin, exposedHeaders: ["x-request-id"] });
}
