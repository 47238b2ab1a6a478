import type { FastifyInstance } from "fastify";
import { AggregatorRegistry, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "../logger.js";
import { createHttpApp, listen, type HttpLimits, type RunningServer } from "./http-app.js";
import { metricsRegistriesOf } from "./http-metrics.js";

let processRegistry: Registry | undefined;

/** Node's own metrics (CPU, memory, event loop, GC): once per process, however many services it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus text of every app given, with the process's own metrics. Registries are merged by
 * metric name (prom-client's aggregation), so the four services of `pnpm start` share one family
 * per metric, told apart by their `service` label.
 */
export async function renderMetrics(apps: FastifyInstance[]): Promise<string> {
  const registries = [processMetrics(), ...apps.flatMap(metricsRegistriesOf)];
  const merged = AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON())));
  return merged.metrics();
}

export interface ServeMetricsOptions {
  /** The services whose metrics this listener serves (one, or the four of `pnpm start`). */
  apps: FastifyInstance[];
  host: string;
  /** METRICS_PORT; undefined: no listener (metrics are never served on a public port). */
  port: number | undefined;
  logger: Logger;
  limits?: HttpLimits | undefined;
}

/**
 * The internal metrics listener: `GET /metrics` on METRICS_PORT, apart from the public port so
 * that only what can reach the internal port (Prometheus, not the load balancer) reads it.
 */
export async function serveMetrics({
  apps,
  host,
  port,
  logger,
  limits,
}: ServeMetricsOptions): Promise<RunningServer | undefined> {
  if (port === undefined) return undefined;
  const app = createHttpApp({ logger });
  app.get("/metrics", async (_request, reply) =>
    reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(apps)),
  );
  // A scrape is short: nothing to wait for on shutdown.
  let running: RunningServer;
  try {
    running = await listen(app, { host, port, limits, shutdown: { delayMs: 0, drainTimeoutMs: 1_000 } });
  } catch (error) {
    await app.close();
    throw new Error(`METRICS_PORT: ${(error as Error).message}`);
  }
  logger.info({ url: `${running.url}/metrics` }, "metrics listening");
  return running;
}
