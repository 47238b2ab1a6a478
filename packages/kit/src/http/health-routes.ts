import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { isDraining } from "./http-app.js";

export interface ReadinessCheck {
  check(): Promise<unknown>;
  /** A failing critical check makes `/ready` answer 503; others only report `degraded`. */
  critical: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

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

/** `GET /health` (the process is up) and `GET /ready` (its dependencies answer, and it is not shutting down). */
export function registerHealthRoutes(
  app: FastifyInstance,
  service: string,
  checks: Record<string, ReadinessCheck> = {},
): void {
  app.get("/health", (_request, reply) => reply.send({ status: "ok", service }));
  app.get("/ready", async (request, reply) => {
    // Shutting down: load balancers must stop sending requests here, whatever the dependencies say.
    if (isDraining(app)) return reply.status(503).send({ status: "draining", service, checks: {} });
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(name, checks[name]!, request.log)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const failing = names.filter((_, i) => results[i] !== "ok");
    const status = failing.some((name) => checks[name]!.critical) ? "unready" : failing.length ? "degraded" : "ready";
    void reply.status(status === "unready" ? 503 : 200);
    return { status, service, checks: report };
  });
}
