import type { FastifyInstance } from "@pokewatch/kit";

/** Apollo Server writes a fresh nonce per page into its own `<meta>` policy and on every inline tag. */
const PAGE_NONCE = /<meta http-equiv="Content-Security-Policy" content="[^"]*'nonce-([A-Za-z0-9+/=_-]+)'/;

/**
 * The policy of Apollo Sandbox's page, and nothing more. Read from @apollo/server 5's landing page
 * (`ApolloServerPluginLandingPageLocalDefault`, embedded Sandbox) and @apollo/sandbox: the page runs
 * its inline script and styles under the nonce, loads the Sandbox script from Apollo's CDN, Google
 * Fonts' stylesheet and fonts, its icon and manifest; the script frames sandbox.embed.apollographql.com
 * and runs the user's operations from this page, against this origin (the endpoint is not editable).
 * The browser also enforces Apollo's `<meta>` policy, so this one may narrow it, never widen it.
 */
export function sandboxCsp(nonce: string): string {
  const cdn = "https://apollo-server-landing-page.cdn.apollographql.com";
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' https://embeddable-sandbox.cdn.apollographql.com`,
    `style-src 'nonce-${nonce}' https://fonts.googleapis.com`,
    "font-src https://fonts.gstatic.com",
    `img-src ${cdn}`,
    `manifest-src ${cdn}`,
    "frame-src https://sandbox.embed.apollographql.com",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join(";");
}

/**
 * Outside production: the landing page's answer gets the Sandbox policy with that page's nonce in
 * place of the strict API policy every other answer keeps; and, since Sandbox's frame may open a
 * sign-in window, `Cross-Origin-Opener-Policy: same-origin-allow-popups`.
 */
export function registerLandingPageCsp(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if ((route !== "/" && route !== "/graphql") || typeof payload !== "string") return payload;
    const type = reply.getHeader("content-type");
    if (typeof type !== "string" || !type.startsWith("text/html")) return payload;
    const nonce = PAGE_NONCE.exec(payload)?.[1];
    if (!nonce) return payload;
    // helmet set these on the raw response at onRequest.
    reply.raw.removeHeader("content-security-policy");
    reply.raw.removeHeader("cross-origin-opener-policy");
    void reply.header("content-security-policy", sandboxCsp(nonce));
    void reply.header("cross-origin-opener-policy", "same-origin-allow-popups");
    return payload;
  });
}
