import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry } from "prom-client";

const registries = new WeakMap<FastifyInstance, Registry[]>();

/** Adds a service's own instruments (cache hits, rate limits…) to what its metrics listener serves. */
export function addMetricsRegistry(app: FastifyInstance, registry: Registry): void {
  registries.set(app, [...(registries.get(app) ?? []), registry]);
}

/** Every registry an app's metrics come from: its HTTP instruments, then those the service added. */
export function metricsRegistriesOf(app: FastifyInstance): Registry[] {
  return registries.get(app) ?? [];
}

/**
 * Counts and times every request an app answers, by service, method, route pattern and status. The
 * route is the pattern (`/graphql`), never the URL, and `unmatched` for a 404, so a client cannot
 * grow the number of series; the service label keeps four services apart on one listener.
 */
export function registerHttpMetrics(app: FastifyInstance, service: string): void {
  const registry = new Registry();
  const requests = new Counter({
    name: "pokewatch_http_requests_total",
    help: "HTTP requests answered, by service, method, route pattern and status.",
    labelNames: ["service", "method", "route", "status"],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "pokewatch_http_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by service, method and route pattern.",
    labelNames: ["service", "method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ service, method: request.method, route, status: String(reply.statusCode) });
    seconds.observe({ service, method: request.method, route }, reply.elapsedTime / 1000);
  });
  addMetricsRegistry(app, registry);
}
