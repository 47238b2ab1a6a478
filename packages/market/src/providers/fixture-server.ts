import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

/** Test-only: a real HTTP server on 127.0.0.1, port 0, so clients run their whole fetch path. */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type FixtureHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface FixtureServer {
  url: string;
  /** Every request received, in order: tests count attempts here, on the server side. */
  requests: RecordedRequest[];
}

/** Starts a server that is closed, connections and all, when the current test finishes. */
export async function useFixtureServer(handler: FixtureHandler): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fixture");
    const recorded = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(recorded);
    Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

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
