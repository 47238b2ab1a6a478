// A small Kustomize renderer for the subset ops/k8s uses, so tests render the overlays without the
// kustomize binary: resources (files and folders with a kustomization.yaml), configMapGenerator
// (files, with disableNameSuffixHash), patches (strategic-merge files), replicas, images, namespace
// and labels (metadata only, as kustomize's `labels` without includeSelectors/includeTemplates).
// Anything else in a kustomization is refused, so nothing is silently left out of a render.
//   node --import tsx ops/k8s/render-kustomize.ts ops/k8s/overlays/dev
import { readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { name: string; files: string[] }[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  patches?: { path: string }[];
  replicas?: { name: string; count: number }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
}

const SUPPORTED = new Set([
  "apiVersion",
  "kind",
  "resources",
  "configMapGenerator",
  "generatorOptions",
  "patches",
  "replicas",
  "images",
  "namespace",
  "labels",
]);

const readObjects = (file: string) =>
  parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const named = (list: unknown[]) => list.every((item) => isRecord(item) && typeof item.name === "string");

/**
 * Strategic merge as Kubernetes does it for the lists these manifests patch: lists of named items
 * (containers, env, ports, volumes, volumeMounts) merge item by item on `name`; other lists and
 * scalars are replaced; maps merge recursively.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isRecord(target) && isRecord(patch)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch))
      merged[key] = key in target ? strategicMerge(target[key], value) : value;
    return merged;
  }
  if (Array.isArray(target) && Array.isArray(patch) && patch.length > 0 && named(target) && named(patch)) {
    const merged: Record<string, unknown>[] = (target as unknown[]).map((item) => item as Record<string, unknown>);
    for (const item of patch as Record<string, unknown>[]) {
      const at = merged.findIndex((existing) => existing.name === item.name);
      if (at === -1) merged.push(item);
      else merged[at] = strategicMerge(merged[at], item) as Record<string, unknown>;
    }
    return merged;
  }
  return patch;
}

const idOf = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

/** The objects a kustomization folder renders to, in resource order. */
export function renderKustomization(dir: string): K8sObject[] {
  const root = resolve(dir);
  const kustomization = readObjects(join(root, "kustomization.yaml"))[0] as unknown as Kustomization;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${root}/kustomization.yaml: unsupported fields ${unsupported.join(", ")}`);

  let objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(root, resource);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path)));
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    if (!kustomization.generatorOptions?.disableNameSuffixHash) {
      throw new Error(`${root}: configMapGenerator needs generatorOptions.disableNameSuffixHash here`);
    }
    const data = Object.fromEntries(
      generator.files.map((file): [string, string] => {
        const [key = "", path = key] = file.includes("=") ? file.split("=") : [basename(file), file];
        return [key, readFileSync(join(root, path), "utf8")];
      }),
    );
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: generator.name }, data });
  }

  for (const { path } of kustomization.patches ?? []) {
    for (const patch of readObjects(join(root, path))) {
      const at = objects.findIndex((object) => idOf(object) === idOf(patch));
      if (at === -1) throw new Error(`${root}/${path}: no ${idOf(patch)} to patch`);
      objects[at] = strategicMerge(objects[at], patch) as K8sObject;
    }
  }
  for (const { name, count } of kustomization.replicas ?? []) {
    const target = objects.find(
      (object) => object.metadata.name === name && /^(Deployment|StatefulSet)$/.test(object.kind),
    );
    if (!target) throw new Error(`${root}: replicas for ${name}, which is not rendered`);
    target.spec = { ...(target.spec as object), replicas: count };
  }
  const images = kustomization.images ?? [];
  if (images.length) objects = objects.map((object) => withImages(object, images));
  for (const { pairs, includeSelectors, includeTemplates } of kustomization.labels ?? []) {
    if (includeSelectors || includeTemplates) {
      throw new Error(`${root}: labels reach metadata only here (no includeSelectors or includeTemplates)`);
    }
    objects = objects.map((object) => ({
      ...object,
      metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...pairs } },
    }));
  }
  const { namespace } = kustomization;
  if (namespace) objects = objects.map((object) => ({ ...object, metadata: { ...object.metadata, namespace } }));
  return objects;
}

function withImages(object: K8sObject, images: NonNullable<Kustomization["images"]>): K8sObject {
  const pod = (object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template
    ?.spec;
  if (!pod?.containers) return object;
  const copy = structuredClone(object);
  const containers = (copy.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers;
  for (const container of containers) {
    const [name = "", tag] = container.image.split(":");
    const rule = images.find((image) => image.name === name);
    if (rule) container.image = `${rule.newName ?? name}:${rule.newTag ?? tag ?? "latest"}`;
  }
  return copy;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: node --import tsx ops/k8s/render-kustomize.ts KUSTOMIZATION_DIR\n");
    process.exit(2);
  }
  process.stdout.write(
    renderKustomization(dir)
      .map((object) => stringify(object))
      .join("---\n"),
  );
}
