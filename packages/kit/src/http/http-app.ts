import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "../logger.js";
import { REQUEST_ID_HEADER, resolveRequestId } from "../request-id.js";
import { DEFAULT_SHUTDOWN, type ShutdownOptions } from "../shutdown.js";
import { registerHttpMetrics } from "./http-metrics.js";
import { registerSecurityHeaders } from "./security-headers.js";

export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** What one client connection may hold (HTTP_* variables): nothing waits on a slow or silent peer for ever. */
export interface HttpLimits {
  /** Whole request, headers and body, from its first byte; then 408 and the connection closes. @default 30_000 */
  requestTimeoutMs: number;
  /** Request headers; at most `requestTimeoutMs`. @default 10_000 */
  headersTimeoutMs: number;
  /** No bytes either way this long closes the connection; must exceed the slowest answer. @default 60_000 */
  idleTimeoutMs: number;
  /** Wait for the next request on a kept-alive connection (above load balancers' 60 s). @default 72_000 */
  keepAliveTimeoutMs: number;
  /** Open connections; one more is closed at once. @default 2_048 */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 2_048,
};

export interface CreateHttpAppOptions {
  logger: Logger;
  /** Largest request body accepted, in bytes. @default 1_048_576 */
  maxBodyBytes?: number | undefined;
  /** Labels the app's HTTP metrics; without it no request is counted (the metrics listener's own app). */
  service?: string | undefined;
  /** BEHIND_TLS: answers carry `Strict-Transport-Security`. @default false */
  behindTls?: boolean | undefined;
  /** Fastify's `trustProxy`: whom to believe in `X-Forwarded-For` for `request.ip`. @default false */
  trustProxy?: boolean | string;
}

const drainingApps = new WeakSet<FastifyInstance>();

/** True once the app's server has begun to shut down: `/ready` then answers 503. */
export function isDraining(app: FastifyInstance): boolean {
  return drainingApps.has(app);
}

/** Applies `limits` to a node HTTP server; `listen` calls it with the environment's. */
export function applyHttpLimits(server: Server, limits: HttpLimits): void {
  const { requestTimeoutMs, headersTimeoutMs, idleTimeoutMs, keepAliveTimeoutMs, maxConnections } = limits;
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(
      `the headers timeout (${headersTimeoutMs} ms) must not exceed the request timeout (${requestTimeoutMs} ms): set HTTP_HEADERS_TIMEOUT_MS <= HTTP_REQUEST_TIMEOUT_MS`,
    );
  }
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = headersTimeoutMs;
  server.setTimeout(idleTimeoutMs);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.maxConnections = maxConnections;
  // Node looks for overdue requests on this interval (30 s by default), so a timeout fires up to that
  // late; a quarter of the shortest bound keeps the lateness small. Read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    10,
    Math.min(1_000, Math.floor(headersTimeoutMs / 4)),
  );
}

/** Logs connections refused over maxConnections, at most once a minute, with how many. */
function logDroppedConnections(server: Server, logger: Logger): void {
  let dropped = 0;
  let lastLogAt = 0;
  server.on("drop", () => {
    dropped += 1;
    if (Date.now() - lastLogAt < 60_000) return;
    logger.warn({ dropped, maxConnections: server.maxConnections }, "refused connections over HTTP_MAX_CONNECTIONS");
    lastLogAt = Date.now();
    dropped = 0;
  });
}

/**
 * Fastify with PokeWatch's defaults: the caller's `x-request-id` kept (or one made) and echoed,
 * security headers on every answer, request logs through our redacting logger, requests counted
 * for `/metrics`, and error replies that never carry internals.
 */
export function createHttpApp({
  logger,
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  service,
  behindTls,
  trustProxy = false,
}: CreateHttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: maxBodyBytes,
    trustProxy,
    genReqId: (request) => resolveRequestId(request.headers[REQUEST_ID_HEADER]),
    // Requests are logged once, at debug, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  applyHttpLimits(app.server, DEFAULT_HTTP_LIMITS);
  logDroppedConnections(app.server, logger);
  registerSecurityHeaders(app, { behindTls });
  if (service) registerHttpMetrics(app, service);
  app.addHook("onRequest", async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  // While draining, answers close their connection: a kept-alive connection would otherwise hold
  // the shutdown until its keep-alive timeout, and the client should reconnect to another replica.
  app.addHook("onSend", async (_request, reply) => {
    if (drainingApps.has(app)) void reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      "request",
    );
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ errors: [{ message: `No route ${request.method} ${request.url}`, extensions: { code: "NOT_FOUND" } }] });
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    const message = status >= 500 ? "Internal server error" : error.message;
    const code = status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST";
    void reply.status(status).send({ errors: [{ message, extensions: { code } }] });
  });
  return app;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  url: string;
  port: number;
  /**
   * Stops gracefully: `/ready` answers 503 at once; after the shutdown delay the port closes (new
   * connections are refused) and requests in flight finish, those still running after the drain
   * timeout being cut; then the app's onClose hooks run (flushes, Apollo's stop).
   */
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** The environment's HTTP limits (`serverOptionsOf(env).limits`). @default DEFAULT_HTTP_LIMITS */
  limits?: HttpLimits | undefined;
  /** @default DEFAULT_SHUTDOWN */
  shutdown?: ShutdownOptions | undefined;
}

/** Listens (port 0 picks a free port) and reports the URL actually bound. */
export async function listen(
  app: FastifyInstance,
  { host, port, limits, shutdown = DEFAULT_SHUTDOWN }: ListenOptions,
): Promise<RunningServer> {
  if (limits) applyHttpLimits(app.server, limits);
  try {
    await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new Error(`port ${port} on ${host} is already in use`);
    throw error;
  }
  const bound = (app.server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return { url: `http://${shownHost}:${bound}`, port: bound, close: () => closeGracefully(app, shutdown) };
}

async function closeGracefully(app: FastifyInstance, { delayMs, drainTimeoutMs }: ShutdownOptions): Promise<void> {
  drainingApps.add(app);
  if (delayMs > 0) {
    app.log.info({ delayMs }, "not ready: still serving until the shutdown delay ends");
    await sleep(delayMs);
  }
  app.log.info({ drainTimeoutMs }, "port closed: finishing requests in flight");
  const cut = setTimeout(() => {
    app.log.warn({ drainTimeoutMs }, "requests still in flight after the drain timeout: cutting their connections");
    app.server.closeAllConnections();
  }, drainTimeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
