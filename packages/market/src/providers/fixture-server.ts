import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { onTestFinished } from "vitest";
import {
  sendFakeJson,
  startFakeProviderServer,
  type FakeHandler,
  type FakeProviderServer,
  type FakeRequest,
} from "../testing/fake-provider-server.js";

/**
 * Test-only: the fake provider server (a real HTTP server on 127.0.0.1, port 0, so clients run their
 * whole fetch path), closed, connections and all, when the current test finishes.
 */

export type RecordedRequest = FakeRequest;
export type FixtureHandler = FakeHandler;
export type FixtureServer = Pick<FakeProviderServer, "url" | "requests">;

/** Starts a server that is closed, connections and all, when the current test finishes. */
export async function useFixtureServer(handler: FixtureHandler): Promise<FixtureServer> {
  const server = await startFakeProviderServer(handler);
  onTestFinished(() => server.close());
  return { url: server.url, requests: server.requests };
}

export const sendJson = sendFakeJson;

/** Resolves after `ms`, or as soon as the client hangs up (a client timeout), so no timer outlives the test. */
export function waitOrHangUp(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function loadFixture(name: string): unknown {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the recorded responses beside this file, named by tests
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** Answers `failures` in order, then 200 `{ ok: true }`. */
export function failThenSucceed(...failures: [number, Record<string, string>?][]): FixtureHandler {
  let calls = 0;
  return (_req, res) => {
    const failure = failures[calls++];
    if (failure) sendJson(res, failure[0], { error: "nope" }, failure[1]);
    else sendJson(res, 200, { ok: true });
  };
}
