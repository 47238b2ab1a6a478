import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Test-only: a real HTTP server on 127.0.0.1, port 0, that the caller closes (`close`), for tests
 * whose server outlives one test (a whole stack in `beforeAll`). Unit tests of one client use
 * `useFixtureServer`, which closes itself when the test ends.
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type FakeHandler = (request: FakeRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeProviderServer {
  url: string;
  /** Every request received, in order: tests count what a run fetched here, on the server side. */
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeProviderServer(handler: FakeHandler): Promise<FakeProviderServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const request = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(request);
    Promise.resolve(handler(request, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function sendFakeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
