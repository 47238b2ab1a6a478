import type { AddressInfo } from "node:net";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "../logger.js";
import { REQUEST_ID_HEADER, resolveRequestId } from "../request-id.js";

export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export interface CreateHttpAppOptions {
  logger: Logger;
  /** Largest request body accepted, in bytes. @default 1_048_576 */
  maxBodyBytes?: number | undefined;
}

/**
 * Fastify with PokeWatch's defaults: the caller's `x-request-id` kept (or one made) and echoed,
 * request logs through our redacting logger, and error replies that never carry internals.
 */
export function createHttpApp({
  logger,
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
}: CreateHttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: maxBodyBytes,
    genReqId: (request) => resolveRequestId(request.headers[REQUEST_ID_HEADER]),
    // Requests are logged once, at debug, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.addHook("onRequest", async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
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
  close(): Promise<void>;
}

/** Listens (port 0 picks a free port) and reports the URL actually bound. */
export async function listen(
  app: FastifyInstance,
  { host, port }: { host: string; port: number },
): Promise<RunningServer> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new Error(`port ${port} on ${host} is already in use`);
    throw error;
  }
  const bound = (app.server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return { url: `http://${shownHost}:${bound}`, port: bound, close: () => app.close() };
}
