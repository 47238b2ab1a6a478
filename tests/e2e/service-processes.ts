import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";

// The services as the images run them, each its own OS process: the command and the environment
// come from docker-compose.yml, with only what cannot hold on one machine replaced (host names,
// ports, the database schema). The entry runs from source through tsx; the compiled entries are
// started by tests/static/production-build.test.ts.

const ROOT = join(import.meta.dirname, "../..");

export type AppService = "gateway" | "pricing" | "keys" | "pipeline";

interface ComposeService {
  command: string[];
  environment: Record<string, string>;
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<AppService, ComposeService>;
};

/**
 * Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?message}` against `values`
 * (what a `.env` file would hold): an unset value with `:?` is an error, as `docker compose` makes it.
 */
export function interpolate(text: string, values: Record<string, string>): string {
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: [^}]* stops at the closing brace
  const pattern = /\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g;
  return text.replace(pattern, (_match: string, name: string, operator?: string, rest?: string): string => {
    const value = values[name];
    if (value !== undefined && value !== "") return value;
    if (operator === ":?") throw new Error(`compose needs ${name}: ${rest ?? ""}`);
    return operator === ":-" ? (rest ?? "") : "";
  });
}

/** The service's environment in docker-compose.yml, interpolated against `dotEnv`. */
export function composeEnvironment(service: AppService, dotEnv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(compose.services[service].environment).map(([name, value]) => [
      name,
      interpolate(String(value), dotEnv),
    ]),
  );
}

/** The source file of the compiled entry the service's compose command runs. */
export function composeEntry(service: AppService): string {
  const [node, entry] = compose.services[service].command;
  if (node !== "node" || !entry?.endsWith(".js")) throw new Error(`unexpected command for ${service}`);
  return entry.replace(/\.js$/, ".ts");
}

/** A TCP port free on 127.0.0.1 now, for a process that must keep its address across restarts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once("error", reject)
      .listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

/** One service process; `restart` starts the same command and env again (same port). */
export interface ServiceProcess {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly running: boolean;
  /** Its stdout and stderr so far, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL to the process group after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  restart(): Promise<void>;
}

export interface StartServiceOptions {
  name: string;
  entry: string;
  env: Record<string, string>;
  port: number;
  /** Longest wait for GET `readyPath` to answer 200. @default 60_000 */
  readyWithinMs?: number;
  /** `/health` for a service whose readiness needs what a test does not start. @default "/ready" */
  readyPath?: "/ready" | "/health";
}

// Variables of the test runner that must not leak into a service: it gets exactly what compose gives.
const NOT_INHERITED = /^(SUBGRAPH_SECRET|NODE_ENV$|NODE_OPTIONS$|REDIS_URL$|DATABASE_URL$|VITEST|POKEWATCH_)/;

/** Starts `entry` with `node --import tsx` and waits until its /ready (or /health) answers 200. */
export async function startServiceProcess(options: StartServiceOptions): Promise<ServiceProcess> {
  const { name, entry, env, port, readyWithinMs = 60_000, readyPath = "/ready" } = options;
  const origin = `http://127.0.0.1:${port}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !NOT_INHERITED.test(key)));
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: ROOT,
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const append = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    try {
      await untilReady(`${origin}${readyPath}`, child, readyWithinMs, () => output, name);
    } catch (error) {
      // Never ready: no one will stop it later, so it goes now (it would outlive the test run).
      await process_.stop(1_000);
      throw error;
    }
  };

  const process_: ServiceProcess = {
    name,
    origin,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    output: () => output,
    async stop(graceMs = 15_000) {
      const current = child;
      if (!current?.pid || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once("exit", () => resolve()));
      process.kill(current.pid, "SIGTERM");
      const timer = setTimeout(() => {
        try {
          process.kill(-current.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
    async restart() {
      await process_.stop();
      await launch();
    },
  };
  await launch();
  return process_;
}

async function untilReady(
  url: string,
  child: ChildProcess,
  withinMs: number,
  output: () => string,
  name: string,
): Promise<void> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output()}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (response?.status === 200) return;
    await response?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} was not ready within ${withinMs} ms:\n${output()}`);
}
