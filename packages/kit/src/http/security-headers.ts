import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** One year, the value HSTS preload lists ask for. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The policy of every response but Apollo Sandbox's page: PokeWatch serves JSON, never a document
 * that loads anything, so nothing may load, frame it, post a form from it or rebase its URLs.
 * Written as helmet sends it.
 */
export const API_CSP = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";

export interface SecurityHeadersOptions {
  /**
   * BEHIND_TLS: clients reach the service over HTTPS (TLS ends at a load balancer or here), so
   * browsers are told to keep to HTTPS (`Strict-Transport-Security`). Off, no HSTS: sent over plain
   * HTTP it would be ignored, and on `localhost` it would pin every local port to HTTPS. @default false
   */
  behindTls?: boolean | undefined;
}

/** Directives of a `Content-Security-Policy` value, e.g. `{ "default-src": ["'none'"] }`. */
export function cspDirectives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}

/**
 * helmet's headers on every response of `app`: the strict API policy above, `X-Frame-Options: DENY`,
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, cross-origin isolation headers,
 * no `X-Powered-By`, and HSTS only when `behindTls`.
 */
export function registerSecurityHeaders(app: FastifyInstance, { behindTls = false }: SecurityHeadersOptions): void {
  void app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(API_CSP) },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: behindTls ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
  });
}
