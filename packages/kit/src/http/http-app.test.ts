import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShutdownOptions } from "../shutdown.js";
import { silentLogger } from "../testing/loggers.js";
import { registerHealthRoutes } from "./health-routes.js";
import {
  DEFAULT_HTTP_LIMITS,
  applyHttpLimits,
  createHttpApp,
  listen,
  type HttpLimits,
  type RunningServer,
} from "./http-app.js";

const app = createHttpApp({ logger: silentLogger(), maxBodyBytes: 64 });
app.post("/echo", (request, reply) => reply.send(request.body));
afterAll(() => app.close());

describe("createHttpApp", () => {
  it("answers unknown routes with a GraphQL-shaped NOT_FOUND", async () => {
    const response = await app.inject({ method: "GET", url: "/nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ errors: [{ message: "No route GET /nope", extensions: { code: "NOT_FOUND" } }] });
  });

  it("refuses a body over the limit with 413 and a coded error", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ padding: "x".repeat(100) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
  });

  it("refuses malformed JSON with 400, not 500", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
  });

  it("names the port when it is already taken", async () => {
    const first = await listen(createHttpApp({ logger: silentLogger() }), { host: "127.0.0.1", port: 0 });
    const second = createHttpApp({ logger: silentLogger() });
    await expect(listen(second, { host: "127.0.0.1", port: first.port })).rejects.toThrow(
      `port ${first.port} on 127.0.0.1 is already in use`,
    );
    await second.close();
    await first.close();
  });
});

/** Raw bytes to a server, for what a well-behaved client would never send; resolves with all it got once closed. */
function rawExchange(port: number, bytes: string): { reply: Promise<string>; socket: net.Socket } {
  const socket = net.connect(port, "127.0.0.1");
  socket.write(bytes);
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  socket.on("error", () => undefined);
  return { socket, reply: new Promise((resolve) => socket.on("close", () => resolve(received))) };
}

const fastLimits: HttpLimits = {
  ...DEFAULT_HTTP_LIMITS,
  requestTimeoutMs: 300,
  headersTimeoutMs: 300,
};

describe("HTTP limits", () => {
  let server: RunningServer;
  let release: () => void = () => undefined;
  beforeAll(async () => {
    const limited = createHttpApp({ logger: silentLogger() });
    limited.post("/echo", (request, reply) => reply.send(request.body));
    limited.get("/slow", () => new Promise<string>((resolve) => (release = () => resolve("done"))));
    server = await listen(limited, { host: "127.0.0.1", port: 0, limits: fastLimits });
  });
  afterAll(() => server.close());

  it("cuts off a client that sends the headers and never the body, with 408", async () => {
    const started = Date.now();
    const { reply } = rawExchange(
      server.port,
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    expect(await reply).toMatch(/^HTTP\/1\.1 408 /);
    // The default bound is 30 s: only the configured 300 ms ends it this soon.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("cuts off a client that trickles its headers", async () => {
    const started = Date.now();
    const { socket, reply } = rawExchange(server.port, "GET /slow HTTP/1.1\r\n");
    const trickle = setInterval(() => socket.write("X-Padding: a\r\n"), 50);
    expect(await reply).toMatch(/^HTTP\/1\.1 408 /);
    clearInterval(trickle);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("does not cut a request whose answer takes longer than the request timeout", async () => {
    const answer = fetch(`${server.url}/slow`).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 600));
    release();
    expect(await answer).toBe("done");
  });

  it("closes connections over maxConnections at once", async () => {
    const capped = createHttpApp({ logger: silentLogger() });
    const running = await listen(capped, {
      host: "127.0.0.1",
      port: 0,
      limits: { ...DEFAULT_HTTP_LIMITS, maxConnections: 2 },
    });
    const open = [rawExchange(running.port, ""), rawExchange(running.port, "")];
    await Promise.all(open.map(({ socket }) => new Promise((resolve) => socket.once("connect", resolve))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = rawExchange(running.port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await third.reply).toBe("");
    for (const { socket } of open) socket.destroy();
    await running.close();
  });

  it("refuses a headers timeout longer than the request timeout, naming both variables", () => {
    const app = createHttpApp({ logger: silentLogger() });
    expect(() => applyHttpLimits(app.server, { ...DEFAULT_HTTP_LIMITS, headersTimeoutMs: 40_000 })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS <= HTTP_REQUEST_TIMEOUT_MS/,
    );
  });
});

describe("graceful close", () => {
  function startApp(shutdown: ShutdownOptions) {
    const app = createHttpApp({ logger: silentLogger() });
    registerHealthRoutes(app, "test");
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    app.get("/slow", () => {
      arrived();
      return new Promise<string>((resolve) => (release = () => resolve("done")));
    });
    return {
      app,
      inFlight,
      release: () => release(),
      listening: listen(app, { host: "127.0.0.1", port: 0, shutdown }),
    };
  }

  it("answers /ready 503 during the delay, then refuses connections and lets requests in flight finish", async () => {
    const started = startApp({ delayMs: 400, drainTimeoutMs: 10_000 });
    const server = await started.listening;
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    // A kept-alive connection with a request in flight: it must not hold the close for 72 s.
    const answer = fetch(`${server.url}/slow`).then(async (r) => ({ status: r.status, text: await r.text() }));
    await started.inFlight;
    const closed = server.close();
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("connection")).toBe("close");
    expect(await ready.json()).toMatchObject({ status: "draining" });
    await expect
      .poll(() =>
        fetch(`${server.url}/health`).then(
          () => "open",
          (e: Error) => String((e.cause as NodeJS.ErrnoException)?.code),
        ),
      )
      .toBe("ECONNREFUSED");
    started.release();
    expect(await answer).toEqual({ status: 200, text: "done" });
    const before = Date.now();
    await closed;
    expect(Date.now() - before).toBeLessThan(5_000);
  });

  it("cuts requests still in flight after the drain timeout", async () => {
    const started = startApp({ delayMs: 0, drainTimeoutMs: 200 });
    const server = await started.listening;
    const answer = fetch(`${server.url}/slow`).then(
      (r) => r.status,
      () => "cut",
    );
    await started.inFlight;
    await server.close();
    expect(await answer).toBe("cut");
  });
});
