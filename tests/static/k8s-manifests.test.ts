import { readFileSync } from "node:fs";
import { join } from "node:path";
import { registerHealthRoutes } from "@pokewatch/kit";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { gatewayEnvSchema } from "../../gateway/src/env.js";
import { entryOf, SERVICES, type ServiceName } from "../../ops/build/build-dist.js";
import { renderKustomization, type K8sObject } from "../../ops/k8s/render-kustomize.js";
import { keysEnvSchema } from "../../subgraphs/keys/src/env.js";
import { pipelineEnvSchema } from "../../subgraphs/pipeline/src/env.js";
import { pricingEnvSchema } from "../../subgraphs/pricing/src/env.js";

// No cluster here: the overlays are rendered (ops/k8s/render-kustomize.ts), every object is
// validated against the Kubernetes schemas, and what the manifests promise is checked against the code.
const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const OVERLAYS = ["dev", "staging", "prod"] as const;
const rendered = Object.fromEntries(
  OVERLAYS.map((name) => [name, renderKustomization(join(ROOT, "ops/k8s/overlays", name))]),
);
const APP_SERVICES = Object.keys(SERVICES) as ServiceName[];
const SCHEMAS = {
  gateway: gatewayEnvSchema,
  pricing: pricingEnvSchema,
  keys: keysEnvSchema,
  pipeline: pipelineEnvSchema,
};
const routing = parse(read("schema/supergraph.docker.yaml")) as { subgraphs: Record<string, { routing_url: string }> };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports: { name: string; containerPort: number }[];
  env: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
}
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    strategy?: { type: string; rollingUpdate?: { maxSurge?: number; maxUnavailable?: number } };
    template: { metadata: { labels: object }; spec: PodSpec };
  };
};

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const deployment = (objects: K8sObject[], name: string) => find(objects, "Deployment", name) as Workload;
const container = (objects: K8sObject[], name: string) => deployment(objects, name).spec.template.spec.containers[0]!;
const envValue = (c: Container, name: string) => c.env.find((variable) => variable.name === name);
const idOf = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

const healthRoutes: string[] = [];
registerHealthRoutes(
  { get: (path: string) => healthRoutes.push(path) } as unknown as Parameters<typeof registerHealthRoutes>[0],
  "probe",
);

describe.each(OVERLAYS)("ops/k8s/overlays/%s", (overlay) => {
  const objects = rendered[overlay]!;

  it("renders objects that all validate against the Kubernetes schemas", () => {
    expect(objects.length).toBeGreaterThan(15);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it.each(APP_SERVICES)("runs %s's compiled entry, non-root on a read-only filesystem, with resources", (name) => {
    const pod = deployment(objects, name).spec.template.spec;
    const c = container(objects, name);
    expect(c.args).toEqual(["node", entryOf(name)]);
    expect(c.image).toMatch(/pokewatch:[\w.-]+$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(c.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources?.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    // A read-only root still needs somewhere to write: /tmp, and DATA_DIR where the service has one.
    const writable = ["/tmp", ...(name === "gateway" ? [] : [envValue(c, "DATA_DIR")?.value])];
    expect(c.volumeMounts?.map((mount) => mount.mountPath)).toEqual(expect.arrayContaining(writable));
  });

  it.each(APP_SERVICES)("serves %s on the port its env sets, probed on routes the code serves", (name) => {
    const c = container(objects, name);
    const port = c.ports.find((p) => p.name === "http")!.containerPort;
    expect(envValue(c, `${name.toUpperCase()}_PORT`)?.value).toBe(String(port));
    expect(envValue(c, "METRICS_PORT")?.value).toBe(String(c.ports.find((p) => p.name === "metrics")!.containerPort));
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/ready", port: "http" });
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe])
      expect(healthRoutes).toContain(probe?.httpGet?.path);
    const service = find(objects, "Service", name) as K8sObject & {
      spec: { ports: { name: string; port: number; targetPort: string }[] };
    };
    expect(service.spec.ports.find((p) => p.name === "http")).toMatchObject({ port, targetPort: "http" });
  });

  it.each(APP_SERVICES)("gives %s only variables its env schema reads, secrets from the Secret", (name) => {
    const c = container(objects, name);
    // NODE_ENV is read by libraries (Apollo Server, Fastify) in every service, besides the gateway's schema.
    const known = [...Object.keys(SCHEMAS[name].shape), "NODE_ENV"];
    expect(c.env.map((variable) => variable.name).filter((variable) => !known.includes(variable))).toEqual([]);
    const fromSecret = (optional: boolean) =>
      c.env
        .filter(
          (variable) =>
            variable.valueFrom?.secretKeyRef && (variable.valueFrom.secretKeyRef.optional ?? false) === optional,
        )
        .map((variable) => variable.name)
        .sort();
    const required = [
      "SUBGRAPH_SECRET",
      ...(name === "gateway" ? [] : ["DATABASE_URL"]),
      "REDIS_URL",
      ...(name === "keys" ? ["POKEWATCH_ADMIN_KEY"] : []),
    ];
    expect(fromSecret(false)).toEqual(required.sort());
    // The price providers' keys are optional: the pipeline collects without them (docs/data.md).
    expect(fromSecret(true)).toEqual(name === "pipeline" ? ["POKEMONTCG_API_KEY", "POKEMON_PRICE_API_KEY"] : []);
    for (const variable of c.env)
      if (variable.valueFrom) expect(variable.valueFrom.secretKeyRef?.name).toBe("pokewatch");
    // Plain values must parse: the service would refuse to start otherwise.
    const plain = Object.fromEntries(c.env.filter((v) => v.value !== undefined).map((v) => [v.name, v.value]));
    const secrets = {
      SUBGRAPH_SECRET: "s".repeat(40),
      DATABASE_URL: "postgres://db/pokewatch",
      REDIS_URL: "redis://redis:6379",
    };
    const parsed = SCHEMAS[name].safeParse({ ...plain, ...secrets });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(APP_SERVICES)("rolls %s out without dropping a request", (name) => {
    const workload = deployment(objects, name);
    expect(workload.spec.strategy).toMatchObject({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } });
    const c = container(objects, name);
    const plain = Object.fromEntries(c.env.filter((v) => v.value !== undefined).map((v) => [v.name, v.value]));
    const env = SCHEMAS[name].parse({ ...plain, SUBGRAPH_SECRET: "s".repeat(40), DATABASE_URL: "postgres://db/x" });
    // Endpoints drop a terminating pod within a few seconds: until then it must still serve.
    expect(env.SHUTDOWN_DELAY_MS).toBeGreaterThanOrEqual(3_000);
    // Kubernetes kills the pod after the grace period: delay and drain must fit inside it.
    const graceMs = (workload.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    expect(env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_DRAIN_TIMEOUT_MS).toBeLessThan(graceMs);
  });

  it("routes the supergraph's subgraphs to Services by name and port, and mounts it in the gateway", () => {
    for (const [name, { routing_url }] of Object.entries(routing.subgraphs)) {
      const url = new URL(routing_url);
      const service = find(objects, "Service", url.hostname) as K8sObject & { spec: { ports: { port: number }[] } };
      expect(service, name).toBeDefined();
      expect(service.spec.ports.map((p) => p.port)).toContain(Number(url.port));
    }
    const configMap = find(objects, "ConfigMap", "supergraph") as K8sObject & { data: Record<string, string> };
    expect(configMap.data["supergraph.graphql"], "ops/k8s/base/supergraph.graphql is stale").toBe(
      read("schema/supergraph.docker.graphql"),
    );
    const gateway = container(objects, "gateway");
    const mount = gateway.volumeMounts!.find((m) => m.name === "supergraph")!;
    expect(envValue(gateway, "SUPERGRAPH_PATH")?.value).toBe(`${mount.mountPath}/supergraph.graphql`);
    const volume = deployment(objects, "gateway").spec.template.spec.volumes!.find((v) => v.name === "supergraph");
    expect(volume?.configMap?.name).toBe("supergraph");
  });

  it("autoscales the gateway and pricing, and budgets disruptions of every service", () => {
    for (const name of ["gateway", "pricing"]) {
      const hpa = find(objects, "HorizontalPodAutoscaler", name) as K8sObject & {
        spec: { scaleTargetRef: object; minReplicas: number };
      };
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(deployment(objects, name).spec.replicas!);
    }
    for (const name of APP_SERVICES) {
      const pdb = find(objects, "PodDisruptionBudget", name) as K8sObject & {
        spec: { selector: { matchLabels: object } };
      };
      expect(deployment(objects, name).spec.template.metadata).toMatchObject({ labels: pdb.spec.selector.matchLabels });
    }
  });

  it("lets only the gateway reach the subgraphs' HTTP port, and exposes the gateway alone through the Ingress", () => {
    const policies = objects.filter((object) => object.kind === "NetworkPolicy") as (K8sObject & {
      spec: {
        podSelector: { matchExpressions: { values: string[] }[] };
        ingress: { from: { podSelector?: { matchLabels: object } }[]; ports: { port: string }[] }[];
      };
    })[];
    expect(policies).toHaveLength(1);
    const { spec } = policies[0]!;
    expect(spec.podSelector.matchExpressions[0]!.values.sort()).toEqual(["keys", "pipeline", "pricing"]);
    const httpRules = spec.ingress.filter((rule) => rule.ports.some((p) => p.port === "http"));
    expect(httpRules.flatMap((rule) => rule.from)).toEqual([
      { podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } },
    ]);
    const ingresses = objects.filter((object) => object.kind === "Ingress");
    const backends = JSON.stringify(ingresses).match(/"service":\{"name":"(\w+)"/g);
    expect(backends).toEqual(['"service":{"name":"gateway"']);
  });
});

describe("the overlays", () => {
  it("dev runs PostgreSQL and Redis (append-only) in the cluster, with a Secret whose values the services accept", () => {
    const dev = rendered.dev!;
    expect(find(dev, "StatefulSet", "postgres")).toBeDefined();
    expect(JSON.stringify(find(dev, "StatefulSet", "redis"))).toContain('"--appendonly","yes"');
    const secret = find(dev, "Secret", "pokewatch") as K8sObject & { stringData: Record<string, string> };
    const refs = APP_SERVICES.flatMap((name) =>
      container(dev, name)
        .env.filter((v) => v.valueFrom?.secretKeyRef && !v.valueFrom.secretKeyRef.optional)
        .map((v) => v.valueFrom!.secretKeyRef!.key),
    );
    for (const key of refs) expect(Object.keys(secret.stringData)).toContain(key);
    const parsed = keysEnvSchema.safeParse({
      SUBGRAPH_SECRET: secret.stringData["subgraph-secret"],
      DATABASE_URL: secret.stringData["database-url"],
      REDIS_URL: secret.stringData["redis-url"],
      POKEWATCH_ADMIN_KEY: secret.stringData["admin-key"],
    });
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(secret.stringData["database-url"]).toContain("@postgres:5432/");
    expect(secret.stringData["redis-url"]).toBe("redis://redis:6379");
  });

  it("prod uses managed backends (no in-cluster database, no Secret in git) and runs more replicas", () => {
    const prod = rendered.prod!;
    expect(prod.filter((object) => ["StatefulSet", "Secret"].includes(object.kind))).toEqual([]);
    for (const name of APP_SERVICES) {
      expect(deployment(prod, name).spec.replicas).toBeGreaterThan(deployment(rendered.dev!, name).spec.replicas!);
    }
    expect(envValue(container(prod, "gateway"), "CORS_ORIGINS")?.value).toMatch(/^https:\/\//);
    expect(container(prod, "gateway").image).not.toBe(container(rendered.dev!, "gateway").image);
  });

  it("staging has prod's shape on fewer replicas, in its own namespace, labelled, and runs release images", () => {
    const staging = rendered.staging!;
    expect(staging.filter((object) => ["StatefulSet", "Secret"].includes(object.kind))).toEqual([]);
    for (const object of staging) {
      expect(object.metadata.namespace, idOf(object)).toBe("pokewatch-staging");
      expect(object.metadata.labels, idOf(object)).toMatchObject({ "pokewatch.io/environment": "staging" });
    }
    for (const name of APP_SERVICES) {
      const replicas = deployment(staging, name).spec.replicas!;
      expect(replicas).toBeGreaterThanOrEqual(deployment(rendered.dev!, name).spec.replicas!);
      expect(replicas).toBeLessThan(deployment(rendered.prod!, name).spec.replicas!);
    }
    expect(envValue(container(staging, "gateway"), "CORS_ORIGINS")?.value).toMatch(/^https:\/\//);
    // release.yml replaces the `pokewatch` image with the tag's; the other overlays stay out of it.
    expect(container(staging, "gateway").image).toBe(container(rendered.prod!, "gateway").image);
    for (const overlay of ["dev", "prod"] as const)
      expect(rendered[overlay]!.every((object) => object.metadata.namespace === undefined)).toBe(true);
  });
});
