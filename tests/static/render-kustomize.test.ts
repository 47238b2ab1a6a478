import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderKustomization, strategicMerge } from "../../ops/k8s/render-kustomize.js";

function kustomize(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kustomize-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: app:1
          args: [a, b]
          env: [{ name: A, value: "1" }, { name: B, value: "2" }]
`;

describe("strategicMerge", () => {
  it("merges lists of named items by name, replaces other lists and scalars, merges maps", () => {
    const merged = strategicMerge(
      {
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
        args: ["a", "b"],
        meta: { x: 1, y: 2 },
      },
      {
        env: [
          { name: "B", value: "3" },
          { name: "C", value: "4" },
        ],
        args: ["c"],
        meta: { y: 5 },
      },
    );
    expect(merged).toEqual({
      env: [
        { name: "A", value: "1" },
        { name: "B", value: "3" },
        { name: "C", value: "4" },
      ],
      args: ["c"],
      meta: { x: 1, y: 5 },
    });
  });
});

describe("renderKustomization", () => {
  it("applies a base, patches, replicas and images in an overlay", () => {
    const dir = kustomize({
      "base/kustomization.yaml": "resources: [web.yaml]\n",
      "base/web.yaml": DEPLOYMENT,
      "overlay/kustomization.yaml": `resources: [../base]
patches: [{ path: patch.yaml }]
replicas: [{ name: web, count: 5 }]
images: [{ name: app, newName: registry/app, newTag: "2" }]
`,
      "overlay/patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec: { template: { spec: { containers: [{ name: web, env: [{ name: B, value: "9" }] }] } } }
`,
    });
    const [web] = renderKustomization(join(dir, "overlay")) as unknown as {
      spec: {
        replicas: number;
        template: { spec: { containers: { image: string; env: object[]; args: string[] }[] } };
      };
    }[];
    expect(web!.spec.replicas).toBe(5);
    const container = web!.spec.template.spec.containers[0]!;
    expect(container.image).toBe("registry/app:2");
    expect(container.args).toEqual(["a", "b"]);
    expect(container.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "9" },
    ]);
  });

  it("generates a ConfigMap from files, without a hash suffix", () => {
    const dir = kustomize({
      "kustomization.yaml":
        "configMapGenerator: [{ name: cfg, files: [a.txt, renamed=b.txt] }]\ngeneratorOptions: { disableNameSuffixHash: true }\n",
      "a.txt": "A",
      "b.txt": "B",
    });
    expect(renderKustomization(dir)).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { "a.txt": "A", renamed: "B" } },
    ]);
  });

  it("puts every object in the namespace and adds the labels to their metadata only", () => {
    const dir = kustomize({
      "base/kustomization.yaml": "resources: [web.yaml]\n",
      "base/web.yaml": DEPLOYMENT,
      "overlay/kustomization.yaml": "resources: [../base]\nnamespace: staging\nlabels: [{ pairs: { env: staging } }]\n",
    });
    const [web] = renderKustomization(join(dir, "overlay"));
    expect(web!.metadata).toEqual({ name: "web", namespace: "staging", labels: { env: "staging" } });
    // Selectors and pod templates keep their labels: kustomize's `labels` leaves them alone by default.
    expect(JSON.stringify(web!.spec)).not.toContain("staging");
    expect(() =>
      renderKustomization(
        kustomize({ "kustomization.yaml": "labels: [{ pairs: { env: x }, includeSelectors: true }]\n" }),
      ),
    ).toThrow(/metadata only/);
  });

  it("refuses what it does not implement instead of leaving it out", () => {
    expect(() => renderKustomization(kustomize({ "kustomization.yaml": "namePrefix: x-\n" }))).toThrow(
      /unsupported fields namePrefix/,
    );
    expect(() =>
      renderKustomization(kustomize({ "kustomization.yaml": "configMapGenerator: [{ name: c, files: [] }]\n" })),
    ).toThrow(/disableNameSuffixHash/);
    const missing = kustomize({
      "kustomization.yaml": "resources: [web.yaml]\npatches: [{ path: p.yaml }]\n",
      "web.yaml": DEPLOYMENT,
      "p.yaml": "apiVersion: v1\nkind: Service\nmetadata: { name: web }\n",
    });
    expect(() => renderKustomization(missing)).toThrow(/no Service\/web to patch/);
  });
});
