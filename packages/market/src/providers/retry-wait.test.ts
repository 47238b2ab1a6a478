import { describe, expect, it } from "vitest";
import { failThenSucceed, sendJson, useFixtureServer, type FixtureHandler } from "./fixture-server.js";
import { createProviderHttp } from "./provider-http.js";
import { resolveHttpOptions, type ProviderClientOptions } from "./provider-options.js";
import { retryDelayMs, type RetryWaitOptions } from "./retry-wait.js";

/** A provider client whose waits are recorded instead of spent, so real backoff times cost nothing. */
async function recordWaits(handler: FixtureHandler, options: ProviderClientOptions & RetryWaitOptions = {}) {
  const server = await useFixtureServer(handler);
  const waits: number[] = [];
  const http = createProviderHttp({
    ...resolveHttpOptions("test", options),
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: options.random,
    provider: "test-provider",
    baseUrl: server.url,
    headers: {},
    secrets: [],
  });
  const outcome = await http.getJson("/things", {}, (body) => body).catch((error: unknown) => error);
  return { waits, outcome, attempts: server.requests.length };
}

const alwaysFail: FixtureHandler = (_req, res) => sendJson(res, 500, { error: "boom" });
// min(10_000, 300·2^(n−1)) for retries 1…7 with the default backoff.
const DEFAULT_CEILINGS = [300, 600, 1200, 2400, 4800, 9600, 10_000];

describe("backoff between retries", () => {
  it.each([0.5, 0.999_999, 0])("waits baseMs·2^(n−1) capped at maxMs, times the jitter draw %s", async (draw) => {
    const { waits, attempts } = await recordWaits(alwaysFail, { retries: 7, random: () => draw });
    expect(attempts).toBe(8);
    expect(waits).toEqual(DEFAULT_CEILINGS.map((ceiling) => Math.floor(ceiling * draw)));
  });

  it("follows baseMs and maxMs when they are given", async () => {
    const { waits } = await recordWaits(alwaysFail, {
      retries: 5,
      backoff: { baseMs: 50, maxMs: 500 },
      random: () => 1,
    });
    expect(waits).toEqual([50, 100, 200, 400, 500]);
  });

  it("never waits past the ceiling with the real random draw, and does wait", async () => {
    const { waits } = await recordWaits(alwaysFail, { retries: 10, backoff: { baseMs: 1000, maxMs: 60_000 } });
    const ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map((seconds) => seconds * 1000);
    expect(waits).toHaveLength(10);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(ceilings[i]!);
    });
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(0);
  });

  it("clamps a draw outside [0, 1] to the ceiling or to zero", () => {
    const options = { backoff: { baseMs: 100, maxMs: 1000 }, maxRetryAfterMs: 60_000 };
    expect(retryDelayMs(3, new Error("reset"), options, 7, 0)).toBe(400);
    expect(retryDelayMs(3, new Error("reset"), options, -1, 0)).toBe(0);
  });
});

describe("Retry-After", () => {
  it("waits what a 429 or 503 asks instead of the backoff, without jitter, capped at maxRetryAfterMs", async () => {
    const inThirtySeconds = new Date(Date.now() + 30_000).toUTCString();
    const { waits, outcome, attempts } = await recordWaits(
      failThenSucceed(
        [429, { "retry-after": "2" }],
        [503, { "retry-after": "3600" }],
        [429, { "retry-after": inThirtySeconds }],
        [429, { "retry-after": "soon" }],
        [503],
      ),
      { retries: 5, maxRetryAfterMs: 60_000, random: () => 0.5 },
    );
    expect(outcome).toEqual({ ok: true });
    expect(attempts).toBe(6);
    // An HTTP date has whole seconds, so it lands up to a second early.
    expect(waits).toEqual([2000, 60_000, expect.any(Number), 1200, 2400]);
    expect(waits[2]).toBeGreaterThan(28_000);
    expect(waits[2]).toBeLessThanOrEqual(30_000);
  });

  it("ignores Retry-After on other statuses", async () => {
    const { waits } = await recordWaits(failThenSucceed([500, { "retry-after": "5" }]), { random: () => 0.5 });
    expect(waits).toEqual([150]);
  });
});
