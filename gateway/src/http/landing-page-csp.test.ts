import { API_CSP, cspDirectives, type FastifyInstance } from "@pokewatch/kit";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../gateway-app.js";
import { sandboxCsp } from "./landing-page-csp.js";
import { startCountedSubgraphs, type CountedSystem } from "./testing/counted-subgraphs.js";

let system: CountedSystem;
let development: FastifyInstance;
let production: FastifyInstance;
beforeAll(async () => {
  system = await startCountedSubgraphs(["alpha"], TEST_SECRET, silentLogger());
  const common = { supergraphSdl: system.supergraphSdl, secret: TEST_SECRET, logger: silentLogger() };
  development = await createGatewayApp({ ...common, auth: { enabled: false } });
  production = await createGatewayApp({
    ...common,
    nodeEnv: "production",
    corsOrigins: "none",
    auth: { enabled: true, keysUrl: "http://127.0.0.1:1" },
  });
});
afterAll(async () => {
  await development?.close();
  await production?.close();
  await system?.close();
});

const page = (app: FastifyInstance, url = "/") => app.inject({ method: "GET", url, headers: { accept: "text/html" } });
const origin = (url: string) => new URL(url).origin;
const allows = (sources: string[] | undefined, url: string) => (sources ?? []).includes(origin(url));

describe("Apollo Sandbox's page outside production", () => {
  it.each(["/", "/graphql"])(
    "at %s carries a policy with the page's own nonce, allowing what it loads",
    async (url) => {
      const response = await page(development, url);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toContain("text/html");
      const html = response.body;
      const nonce = /<script nonce="([^"]+)" src=/.exec(html)?.[1];
      expect(nonce).toMatch(/^[0-9a-f]{64}$/);
      const header = response.headers["content-security-policy"] as string;
      expect(header).toBe(sandboxCsp(nonce!));
      const policy = cspDirectives(header);

      // Every inline script and style runs under the nonce.
      const inline = [...html.matchAll(/<(?:script|style)\b[^>]*>/g)].map((tag) => tag[0]);
      expect(inline.length).toBeGreaterThanOrEqual(4);
      for (const tag of inline) expect(tag).toMatch(new RegExp(`nonce="?${nonce}"?`));
      // Every resource the page names is allowed by the directive that governs it.
      const scripts = [...html.matchAll(/<script [^>]*src="([^"]+)"/g)].map((match) => match[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) expect(allows(policy["script-src"], src)).toBe(true);
      const links = [...html.matchAll(/<link\s[^>]*>/g)].map(([tag]) => ({
        rel: /\srel="([^"]+)"/.exec(tag)?.[1] ?? "",
        href: /\shref="([^"]+)"/.exec(tag)?.[1] ?? "",
      }));
      const governing: Record<string, string> = {
        stylesheet: "style-src",
        icon: "img-src",
        "apple-touch-icon": "img-src",
        manifest: "manifest-src",
      };
      expect(links.filter((link) => governing[link.rel])).toHaveLength(4);
      for (const link of links.filter((l) => governing[l.rel])) {
        expect(allows(policy[governing[link.rel]!], link.href), `${link.rel} ${link.href}`).toBe(true);
      }
      // The Sandbox script frames Apollo's embed and sends the user's operations to this origin.
      expect(policy["frame-src"]).toEqual(["https://sandbox.embed.apollographql.com"]);
      expect(policy["connect-src"]).toEqual(["'self'"]);
      expect(policy["font-src"]).toEqual(["https://fonts.gstatic.com"]);
      expect(policy["default-src"]).toEqual(["'none'"]);
      expect(policy["frame-ancestors"]).toEqual(["'none'"]);
      expect(header).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers["cross-origin-opener-policy"]).toBe("same-origin-allow-popups");
      expect(response.headers["x-frame-options"]).toBe("DENY");
    },
  );

  it("never widens Apollo's own <meta> policy, which the browser enforces too", async () => {
    const html = (await page(development)).body;
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    const apollo = cspDirectives(meta!);
    const ours = cspDirectives((await page(development)).headers["content-security-policy"] as string);
    for (const [directive, sources] of Object.entries(apollo)) {
      const nonceFree = (list: string[]) => list.filter((source) => !source.startsWith("'nonce-"));
      for (const source of nonceFree(ours[directive] ?? [])) expect(nonceFree(sources)).toContain(source);
    }
  });

  it("uses a fresh nonce per page, and keeps the strict policy on everything else", async () => {
    const first = (await page(development)).headers["content-security-policy"];
    const second = (await page(development)).headers["content-security-policy"];
    expect(first).not.toBe(second);
    const json = await development.inject({ method: "POST", url: "/graphql", payload: { query: "{ alpha }" } });
    expect(json.headers["content-security-policy"]).toBe(API_CSP);
    expect(json.headers["cross-origin-opener-policy"]).toBe("same-origin");
  });
});

describe("production", () => {
  it("serves no page, and the strict policy", async () => {
    const response = await page(production);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-security-policy"]).toBe(API_CSP);
    expect(response.headers["cross-origin-opener-policy"]).toBe("same-origin");
  });
});
