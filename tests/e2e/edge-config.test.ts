import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, describe, expect, it } from "vitest";
import { ALL_SUBGRAPHS_QUERY, postGraphQL, startTestStack } from "./stack-fixture.js";

const ROOT = join(import.meta.dirname, "../..");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
});

interface LogLine {
  level: number;
  msg: string;
  url?: string;
}

/** The gateway's entry point as a container runs it, in production, with `env` over a clean base. */
function startGateway(env: Record<string, string>) {
  const { NODE_ENV: _vitest, CORS_ORIGINS: _a, METRICS_PORT: _b, BEHIND_TLS: _c, ...inherited } = process.env;
  const proc = spawn(process.execPath, ["--import", "tsx", "gateway/src/main.ts"], {
    cwd: ROOT,
    env: {
      ...inherited,
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      HOST: "127.0.0.1",
      GATEWAY_PORT: "0",
      SUBGRAPH_SECRET: randomBytes(32).toString("base64url"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(proc);
  const lines: string[] = [];
  createInterface({ input: proc.stdout }).on("line", (line) => lines.push(line));
  createInterface({ input: proc.stderr }).on("line", (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  const logged = () => lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as LogLine);
  const waitFor = async (msg: string) => {
    await expect.poll(() => logged().some((line) => line.msg === msg), { timeout: 30_000, interval: 100 }).toBe(true);
    return logged().find((line) => line.msg === msg)!;
  };
  return { proc, exited, lines, logged, waitFor };
}

describe("CORS_ORIGINS in production (the gateway's entry point)", () => {
  it("refuses to start without it: exit 1, naming the variable", async () => {
    const gateway = startGateway({});
    expect(await gateway.exited).toBe(1);
    expect(gateway.lines.join("\n")).toMatch(/could not start: CORS_ORIGINS is not set: with NODE_ENV=production/);
  });

  it("refuses a malformed origin at the environment check, naming it", async () => {
    const gateway = startGateway({ CORS_ORIGINS: "https://app.example/" });
    expect(await gateway.exited).toBe(1);
    expect(gateway.lines.join("\n")).toContain(
      'CORS_ORIGINS = "https://app.example/": "https://app.example/" is not written as browsers send it',
    );
  });

  it("starts with CORS_ORIGINS=* set on purpose, logging a warning; metrics only on METRICS_PORT", async () => {
    const gateway = startGateway({ CORS_ORIGINS: "*", METRICS_PORT: "0" });
    const publicUrl = (await gateway.waitFor("gateway listening")).url!.replace(/\/graphql$/, "");
    const metricsUrl = (await gateway.waitFor("metrics listening")).url!;
    expect(gateway.logged().filter((line) => line.level === 40 && line.msg.includes("CORS_ORIGINS=*"))).toHaveLength(1);

    expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
    expect(new URL(metricsUrl).port).not.toBe(new URL(publicUrl).port);
    const metrics = await fetch(metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^pokewatch_http_requests_total\{service="gateway",.*status="404"\} 1$/m);

    process.kill(-gateway.proc.pid!, "SIGTERM");
    expect(await gateway.exited).toBe(0);
  });
});

describe("pnpm start's metrics listener", () => {
  let stack: RunningStack | undefined;
  afterAll(() => stack?.close());

  it("refuses production without CORS_ORIGINS before anything starts", async () => {
    await expect(startTestStack({ NODE_ENV: "production" })).rejects.toThrow(/^CORS_ORIGINS is not set/);
  });

  it("serves all four services' metrics on one internal port, none on their public ports", async () => {
    stack = await startTestStack({ METRICS_PORT: "0" });
    expect((await postGraphQL(stack.gatewayUrl, ALL_SUBGRAPHS_QUERY)).body.errors).toBeUndefined();
    const text = await (await fetch(stack.metricsUrl!)).text();
    for (const service of ["gateway", "pricing", "keys", "pipeline"]) {
      expect(text).toMatch(
        new RegExp(
          `^pokewatch_http_requests_total\\{service="${service}",method="POST",route="/graphql",status="200"\\} \\d+$`,
          "m",
        ),
      );
    }
    expect(text.match(/^# TYPE pokewatch_http_requests_total counter$/gm)).toHaveLength(1);
    for (const url of [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)]) {
      expect((await fetch(url.replace(/\/graphql$/, "/metrics"))).status).toBe(404);
    }
  });
});
