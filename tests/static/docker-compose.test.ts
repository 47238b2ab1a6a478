import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here, so the compose file is checked for what it promises, statically.
const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  depends_on?: unknown;
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, ComposeService> };
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

  it("points every service at an entry point that exists, with the shared secret and real backends", () => {
    for (const name of ["gateway", "pricing", "keys", "pipeline"]) {
      const service = compose.services[name]!;
      expect(existsSync(join(ROOT, service.command!.at(-1)!))).toBe(true);
      expect(service.environment).toMatchObject({
        SUBGRAPH_SECRET: expect.stringContaining("${SUBGRAPH_SECRET"),
        DATABASE_URL: expect.stringContaining("@postgres:5432/"),
        REDIS_URL: "redis://redis:6379",
      });
    }
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
