import type { FastifyInstance } from "fastify";

export interface ReadinessCheck {
  check(): Promise<unknown>;
  /** A failing critical check makes `/ready` answer 503; others only report `degraded`. */
  critical: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<string> {
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS).unref()),
    ]);
    return "ok";
  } catch (error) {
    return `failing: ${(error as Error).message}`;
  }
}

/** `GET /health` (the process is up) and `GET /ready` (its dependencies answer). */
export function registerHealthRoutes(
  app: FastifyInstance,
  service: string,
  checks: Record<string, ReadinessCheck> = {},
): void {
  app.get("/health", (_request, reply) => reply.send({ status: "ok", service }));
  app.get("/ready", async (_request, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const failing = names.filter((_, i) => results[i] !== "ok");
    const status = failing.some((name) => checks[name]!.critical) ? "unready" : failing.length ? "degraded" : "ready";
    void reply.status(status === "unready" ? 503 : 200);
    return { status, service, checks: report };
  });
}
