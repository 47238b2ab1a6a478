import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { isDraining } from "./http-app.js";

export interface ReadinessCheck {
  check(): Promise<unknown>;
  /** A failing critical check makes `/ready` answer 503; others only report `degraded`. */
  critical: boolean;
}

export interface HealthRoutesOptions {
  /**
   * How long one run of a check answers `/ready`: a check starts at most once per this interval
   * and calls arriving meanwhile share its result, so polling or a flood of `/ready` costs the
   * dependencies nothing more. @default 1_000
   */
  cacheMs?: number;
  /** @default Date.now */
  clock?: () => number;
}

const CHECK_TIMEOUT_MS = 2_000;
export const READY_CACHE_MS = 1_000;

async function runCheck(name: string, check: ReadinessCheck, log: FastifyBaseLogger): Promise<string> {
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS).unref()),
    ]);
    return "ok";
  } catch (error) {
    // The reason goes to the log only: /ready is reachable from outside and must not describe internals.
    log.warn({ check: name, err: error }, "readiness check failing");
    return "failing";
  }
}

/** `run`, started at most once per `cacheMs` and never twice at a time; callers in between share its answer. */
function cachedRun(run: () => Promise<string>, cacheMs: number, clock: () => number): () => Promise<string> {
  let last: { startedAt: number; result: Promise<string>; settled: boolean } | undefined;
  return () => {
    const now = clock();
    if (last && (!last.settled || now - last.startedAt < cacheMs)) return last.result;
    const current = { startedAt: now, result: run(), settled: false };
    void current.result.finally(() => (current.settled = true));
    last = current;
    return current.result;
  };
}

/** `GET /health` (the process is up) and `GET /ready` (its dependencies answer, and it is not shutting down). */
export function registerHealthRoutes(
  app: FastifyInstance,
  service: string,
  checks: Record<string, ReadinessCheck> = {},
  { cacheMs = READY_CACHE_MS, clock = Date.now }: HealthRoutesOptions = {},
): void {
  const names = Object.keys(checks);
  const runs = names.map((name) => cachedRun(() => runCheck(name, checks[name]!, app.log), cacheMs, clock));
  app.get("/health", (_request, reply) => reply.send({ status: "ok", service }));
  app.get("/ready", async (_request, reply) => {
    // Shutting down: load balancers must stop sending requests here, whatever the dependencies say.
    if (isDraining(app)) return reply.status(503).send({ status: "draining", service, checks: {} });
    const results = await Promise.all(runs.map((run) => run()));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const failing = names.filter((_, i) => results[i] !== "ok");
    const status = failing.some((name) => checks[name]!.critical) ? "unready" : failing.length ? "degraded" : "ready";
    void reply.status(status === "unready" ? 503 : 200);
    return { status, service, checks: report };
  });
}
