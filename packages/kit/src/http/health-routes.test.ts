import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../testing/loggers.js";
import { READY_CACHE_MS, registerHealthRoutes, type ReadinessCheck } from "./health-routes.js";
import { createHttpApp, listen } from "./http-app.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** A check that counts its runs and answers as `state.up` says, after `state.delayMs`. */
function countedCheck(state: { up: boolean; delayMs?: number }) {
  const counted = { runs: 0 };
  const check: ReadinessCheck = {
    critical: true,
    check: async () => {
      counted.runs += 1;
      if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (!state.up) throw new Error("down");
    },
  };
  return { check, counted };
}

function appWith(checks: Record<string, ReadinessCheck>, clock: () => number) {
  const app = createHttpApp({ logger: silentLogger() });
  registerHealthRoutes(app, "probe", checks, { clock });
  apps.push(app);
  const ready = async () => {
    const response = await app.inject({ method: "GET", url: "/ready" });
    return { status: response.statusCode, body: response.json<{ checks: Record<string, string> }>() };
  };
  return { app, ready };
}

describe("/ready cache", () => {
  it("runs each check once for a flood of calls, and again only once the cache interval has passed", async () => {
    let now = 1_000_000;
    const state = { up: true };
    const { check, counted } = countedCheck(state);
    const { ready } = appWith({ dependency: check }, () => now);

    const flood = await Promise.all(Array.from({ length: 100 }, () => ready()));
    expect(flood.every((answer) => answer.status === 200)).toBe(true);
    expect(counted.runs).toBe(1);

    state.up = false;
    now += READY_CACHE_MS - 1;
    expect((await ready()).status).toBe(200);
    expect(counted.runs).toBe(1);

    now += 1;
    const answers = await Promise.all(Array.from({ length: 20 }, () => ready()));
    expect(counted.runs).toBe(2);
    expect(answers.every((answer) => answer.status === 503 && answer.body.checks.dependency === "failing")).toBe(true);
  });

  it("never starts a second run while one is in flight, however long it takes", async () => {
    let now = 0;
    const { check, counted } = countedCheck({ up: true, delayMs: 200 });
    const { ready } = appWith({ slow: check }, () => now);
    const first = ready();
    now += 5 * READY_CACHE_MS;
    const second = ready();
    expect((await Promise.all([first, second])).map((answer) => answer.status)).toEqual([200, 200]);
    expect(counted.runs).toBe(1);
  });

  it("answers 503 draining at once on shutdown, without running the checks", async () => {
    const { check, counted } = countedCheck({ up: true });
    const { app } = appWith({ dependency: check }, () => 0);
    const server = await listen(app, { host: "127.0.0.1", port: 0, shutdown: { delayMs: 300, drainTimeoutMs: 1_000 } });
    const closing = server.close();
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(503);
    expect(counted.runs).toBe(0);
    await closing;
    apps.splice(0);
  });
});
