import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { failThenSucceed, sendJson, useFixtureServer, waitOrHangUp, type FixtureHandler } from "./fixture-server.js";
import { ProviderError, ResponseShapeError } from "./provider-error.js";
import { createProviderHttp, parseRetryAfter } from "./provider-http.js";
import { resolveHttpOptions, type ProviderClientOptions } from "./provider-options.js";

const SECRET = "sk_test_9f8e7d6c5b4a";
const FAST = { backoff: { baseMs: 1, maxMs: 5 }, maxRetryAfterMs: 20, retries: 3 };

async function httpFor(handler: FixtureHandler, options: ProviderClientOptions = {}) {
  const server = await useFixtureServer(handler);
  const http = createProviderHttp({
    ...resolveHttpOptions("test", { ...FAST, ...options }),
    provider: "test-provider",
    baseUrl: `${server.url}/v2`,
    headers: { "x-api-key": SECRET },
    secrets: [SECRET],
  });
  const get = () => http.getJson("/things", {}, (body) => body);
  return { server, http, get };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("retries", () => {
  it("waits out a 429 with Retry-After in seconds, then succeeds", async () => {
    const { server, get } = await httpFor(failThenSucceed([429, { "retry-after": "0" }]));
    await expect(get()).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it("accepts Retry-After as an HTTP date, and caps a long one at maxRetryAfterMs", async () => {
    const past = new Date(Date.now() - 60_000).toUTCString();
    const { server, get } = await httpFor(
      failThenSucceed([429, { "retry-after": past }], [429, { "retry-after": "3600" }]),
    );
    await expect(get()).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  it("retries 503 twice, then succeeds", async () => {
    const { server, get } = await httpFor(failThenSucceed([503], [503]));
    await expect(get()).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  it("gives up on a 500 that never ends as UPSTREAM after retries + 1 attempts", async () => {
    const { server, get } = await httpFor((_req, res) => sendJson(res, 500, { error: "boom" }), { retries: 2 });
    const error = await providerError(get());
    expect(error).toMatchObject({ code: "UPSTREAM", status: 500, attempts: 3, provider: "test-provider" });
    expect(server.requests).toHaveLength(3);
  });

  it("reports RATE_LIMITED with the last Retry-After when 429 never ends", async () => {
    const { server, get } = await httpFor((_req, res) => sendJson(res, 429, {}, { "retry-after": "7" }), {
      retries: 1,
    });
    const error = await providerError(get());
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, attempts: 2, retryAfterMs: 7000 });
    expect(server.requests).toHaveLength(2);
  });

  it("with failBeyondMaxRetryAfter, ends at once on a Retry-After beyond the cap, and waits one within it", async () => {
    const long = await httpFor((_req, res) => sendJson(res, 429, {}, { "retry-after": "86400" }), {
      failBeyondMaxRetryAfter: true,
    });
    const error = await providerError(long.get());
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, attempts: 1, retryAfterMs: 86_400_000 });
    expect(long.server.requests).toHaveLength(1);

    const short = await httpFor(failThenSucceed([503, { "retry-after": "0" }]), { failBeyondMaxRetryAfter: true });
    await expect(short.get()).resolves.toEqual({ ok: true });
    expect(short.server.requests).toHaveLength(2);
  });

  it("retries a refused connection, then reports NETWORK", async () => {
    const port = await closedPort();
    const http = createProviderHttp({
      ...resolveHttpOptions("test", { ...FAST, retries: 1 }),
      provider: "test-provider",
      baseUrl: `http://127.0.0.1:${port}`,
      headers: {},
      secrets: [],
    });
    const error = await providerError(http.getJson("/x", {}, (body) => body));
    expect(error).toMatchObject({ code: "NETWORK", status: null, attempts: 2 });
    expect(error.message).toContain("ECONNREFUSED");
  });
});

describe("no retry", () => {
  it.each([
    [404, "NOT_FOUND"],
    [401, "UNAUTHORIZED"],
    [403, "UNAUTHORIZED"],
    [400, "BAD_REQUEST"],
  ])("answers %i as %s after one attempt", async (status, code) => {
    const { server, get } = await httpFor((_req, res) => sendJson(res, status, { error: "no" }));
    const error = await providerError(get());
    expect(error).toMatchObject({ code, status, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it("answers a 200 that is not JSON as BAD_RESPONSE", async () => {
    const { server, get } = await httpFor((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>maintenance</html>");
    });
    const error = await providerError(get());
    expect(error).toMatchObject({ code: "BAD_RESPONSE", status: 200, attempts: 1 });
    expect(error.message).toContain("not JSON");
    expect(server.requests).toHaveLength(1);
  });

  it("answers JSON of the wrong shape as BAD_RESPONSE with the parser's reason", async () => {
    const { http } = await httpFor((_req, res) => sendJson(res, 200, { data: 1 }));
    const parse = () => {
      throw new ResponseShapeError("data is not an array");
    };
    const error = await providerError(http.getJson("/things", {}, parse));
    expect(error).toMatchObject({ code: "BAD_RESPONSE", attempts: 1 });
    expect(error.message).toContain("data is not an array");
  });
});

describe("timeouts", () => {
  it("times out a response whose headers never come, on every attempt", async () => {
    const { server, get } = await httpFor((_req, res) => waitOrHangUp(res, 5_000), { timeoutMs: 50, retries: 1 });
    const error = await providerError(get());
    expect(error).toMatchObject({ code: "TIMEOUT", status: null, attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it("times out a body that stalls after the headers", async () => {
    const { get } = await httpFor(
      async (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"data": [');
        await waitOrHangUp(res, 5_000);
        res.end("]}");
      },
      { timeoutMs: 50, retries: 0 },
    );
    await expect(providerError(get())).resolves.toMatchObject({ code: "TIMEOUT", attempts: 1 });
  });
});

describe("requests", () => {
  it("joins baseUrl and path, sends the headers, and leaves out undefined query params", async () => {
    const { server, http } = await httpFor((_req, res) => sendJson(res, 200, {}));
    await http.getJson("/cards", { q: "set.id:sv1", page: 2, language: undefined, includeHistory: true }, () => null);
    const [request] = server.requests;
    expect(request!.path).toBe("/v2/cards");
    expect([...request!.query.entries()]).toEqual([
      ["q", "set.id:sv1"],
      ["page", "2"],
      ["includeHistory", "true"],
    ]);
    expect(request!.headers["x-api-key"]).toBe(SECRET);
    expect(request!.headers.accept).toBe("application/json");
  });

  it("never puts the API key in an error message, even when the upstream body echoes it", async () => {
    const { get } = await httpFor((_req, res) => sendJson(res, 401, { error: `invalid key ${SECRET}` }));
    const error = await providerError(get());
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toContain("[redacted]");
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");

  it("reads delta-seconds and HTTP dates, never negative", () => {
    expect(parseRetryAfter("12", now)).toBe(12_000);
    expect(parseRetryAfter("Sun, 01 Jun 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sun, 01 Jun 2025 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
