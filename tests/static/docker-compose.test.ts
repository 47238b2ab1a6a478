import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { registerHealthRoutes } from "@pokewatch/kit";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { gatewayEnvSchema } from "../../gateway/src/env.js";
import { entryOf, SERVICES, type ServiceName } from "../../ops/build/build-dist.js";
import { keysEnvSchema } from "../../subgraphs/keys/src/env.js";
import { pipelineEnvSchema } from "../../subgraphs/pipeline/src/env.js";
import { pricingEnvSchema } from "../../subgraphs/pricing/src/env.js";

// No Docker engine runs here, so the compose file is checked for what it promises, statically.
const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  container_name?: string;
  init?: boolean;
  read_only?: boolean;
  stop_grace_period?: string;
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const APP_SERVICES = Object.keys(SERVICES) as ServiceName[];
const SCHEMAS = {
  gateway: gatewayEnvSchema,
  pricing: pricingEnvSchema,
  keys: keysEnvSchema,
  pipeline: pipelineEnvSchema,
};
const routing = parse(read("schema/supergraph.docker.yaml")) as { subgraphs: Record<string, { routing_url: string }> };

describe("docker-compose.yml", () => {
  it("runs PostgreSQL, Redis, the three subgraphs and the gateway", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      "gateway",
      "keys",
      "pipeline",
      "postgres",
      "pricing",
      "redis",
    ]);
  });

  it.each(Object.entries(routing.subgraphs))(
    "serves subgraph %s where the docker supergraph routes it",
    (name, { routing_url }) => {
      const url = new URL(routing_url);
      const service = compose.services[url.hostname];
      expect(url.hostname).toBe(name);
      expect(service?.expose).toContain(url.port);
      expect(service?.environment?.[`${name.toUpperCase()}_PORT`]).toBe(url.port);
    },
  );

  it("runs every service's compiled entry with plain node, with the shared secret and real backends", () => {
    for (const name of APP_SERVICES) {
      const service = compose.services[name]!;
      expect(service.command).toEqual(["node", entryOf(name)]);
      // The entry is compiled from this source (production-build.test.ts checks the output).
      expect(existsSync(join(ROOT, entryOf(name).replace(/\.js$/, ".ts")))).toBe(true);
      expect(service).toMatchObject({ image: "pokewatch:local", init: true, read_only: true });
      expect(service.environment).toMatchObject({
        SUBGRAPH_SECRET: expect.stringContaining("${SUBGRAPH_SECRET"),
        REDIS_URL: "redis://redis:6379",
      });
      // The gateway has no database.
      if (name === "gateway") expect(service.environment).not.toHaveProperty("DATABASE_URL");
      else expect(service.environment).toMatchObject({ DATABASE_URL: expect.stringContaining("@postgres:5432/") });
    }
  });

  it.each(APP_SERVICES)("gives %s only variables its env schema reads", (name) => {
    // NODE_ENV is read by libraries (Apollo Server, Fastify) in every service, besides the gateway's schema.
    const known = [...Object.keys(SCHEMAS[name].shape), "NODE_ENV"];
    const unknown = Object.keys(compose.services[name]!.environment ?? {}).filter((key) => !known.includes(key));
    expect(unknown).toEqual([]);
  });

  it.each(APP_SERVICES)("gives %s time to drain on `docker compose stop` before SIGKILL", (name) => {
    const service = compose.services[name]!;
    const shutdown = Object.entries(service.environment ?? {}).filter(([key]) => key.startsWith("SHUTDOWN_"));
    const env = SCHEMAS[name].parse({ SUBGRAPH_SECRET: "s".repeat(40), ...Object.fromEntries(shutdown) });
    const [, seconds] = /^(\d+)s$/.exec(service.stop_grace_period ?? "10s") ?? [];
    expect(env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_DRAIN_TIMEOUT_MS).toBeLessThan(Number(seconds) * 1000);
  });

  it("has a healthcheck on every service, on a route the services serve", () => {
    // The routes the services' shared health module registers, recorded from the module itself.
    const routes: string[] = [];
    registerHealthRoutes(
      { get: (path: string) => routes.push(path) } as unknown as Parameters<typeof registerHealthRoutes>[0],
      "probe",
    );
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test[0], name).toBe("CMD");
      if (!APP_SERVICES.includes(name as ServiceName)) continue;
      const [, node, script, path] = service.healthcheck!.test;
      expect([node, script]).toEqual(["node", "/app/healthcheck.mjs"]);
      expect(routes, name).toContain(path);
    }
  });

  it("starts each service once what it depends on is healthy, the gateway last", () => {
    for (const name of APP_SERVICES) {
      const dependsOn = compose.services[name]!.depends_on ?? {};
      expect(Object.keys(dependsOn)).toEqual(expect.arrayContaining(["postgres", "redis"]));
      for (const dependency of Object.values(dependsOn)) expect(dependency.condition).toBe("service_healthy");
    }
    expect(Object.keys(compose.services.gateway!.depends_on!).sort()).toEqual([
      "keys",
      "pipeline",
      "postgres",
      "pricing",
      "redis",
    ]);
  });

  it("keeps PostgreSQL and Redis (append-only) on volumes, and shares no volume between services (artifacts live in PostgreSQL)", () => {
    expect(compose.services.postgres!.volumes).toContain("postgres-data:/var/lib/postgresql/data");
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(compose.services.redis!.volumes).toContain("redis-data:/data");
    for (const name of ["gateway", "pricing", "keys", "pipeline"])
      expect(compose.services[name]!.volumes).toBeUndefined();
    expect(Object.keys(compose.volumes).sort()).toEqual(["postgres-data", "redis-data"]);
  });

  it("can scale every subgraph: no fixed container name or published port", () => {
    for (const name of ["pricing", "keys", "pipeline"]) {
      expect(compose.services[name]!.container_name).toBeUndefined();
      expect(compose.services[name]!.ports).toBeUndefined();
    }
  });

  it("documents in .env.example every variable the compose file reads from .env", () => {
    const example = read(".env.example");
    const variables = [...read("docker-compose.yml").matchAll(/\$\{(\w+)/g)].map((match) => match[1]!);
    for (const variable of new Set(variables)) expect(example, variable).toMatch(new RegExp(`^#? ?${variable}=`, "m"));
  });

  it("gives each subgraph its own secret and no other subgraph's, and the gateway all of them", () => {
    const names = ["pricing", "keys", "pipeline"];
    const ownSecrets = (service: string) =>
      Object.keys(compose.services[service]!.environment ?? {})
        .filter((variable) => names.some((name) => variable.startsWith(`SUBGRAPH_SECRET_${name.toUpperCase()}`)))
        .sort();
    for (const name of names) {
      const variable = `SUBGRAPH_SECRET_${name.toUpperCase()}`;
      expect(ownSecrets(name)).toEqual([variable, `${variable}_PREVIOUS`]);
      expect(compose.services[name]!.environment?.[variable]).toBe(`\${${variable}:-}`);
    }
    // The gateway signs with the current secrets only.
    expect(ownSecrets("gateway")).toEqual([
      "SUBGRAPH_SECRET_KEYS",
      "SUBGRAPH_SECRET_PIPELINE",
      "SUBGRAPH_SECRET_PRICING",
    ]);
  });

  it("gives the gateway the docker supergraph and publishes only the gateway", () => {
    const gateway = compose.services.gateway!;
    expect(gateway.environment?.SUPERGRAPH_PATH).toBe("schema/supergraph.docker.graphql");
    expect(existsSync(join(ROOT, gateway.environment!.SUPERGRAPH_PATH!))).toBe(true);
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(["gateway"]);
  });

  it("serves every service's metrics on an internal port, exposed on the network, never published", () => {
    for (const name of ["gateway", "pricing", "keys", "pipeline"]) {
      const service = compose.services[name]!;
      const port = service.environment?.METRICS_PORT;
      expect(port).toMatch(/^\d+$/);
      expect(service.expose).toContain(port);
      expect(service.ports ?? []).not.toContainEqual(expect.stringContaining(`:${port}`));
    }
  });

  it("gives the production gateway the CORS_ORIGINS it needs to start", () => {
    expect(compose.services.gateway!.environment).toMatchObject({
      NODE_ENV: "production",
      CORS_ORIGINS: expect.stringMatching(/^\$\{CORS_ORIGINS:-.+\}$/) as string,
    });
  });

  it("builds from a Dockerfile that installs the pinned pnpm from the lockfile", () => {
    const dockerfile = read("ops/Dockerfile");
    const pinned = (JSON.parse(read("package.json")) as { packageManager: string }).packageManager;
    expect(dockerfile).toContain(`npm install -g ${pinned}`);
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
  });
});
