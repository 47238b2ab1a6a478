import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { registerHealthRoutes } from "@pokewatch/kit";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toAnnotations } from "../../.ci/eslint-annotations.js";
import { gatewayEnvSchema } from "../../gateway/src/env.js";
import { SERVICES } from "../../ops/build/build-dist.js";
import { renderKustomization } from "../../ops/k8s/render-kustomize.js";

// GitHub is out of reach from the development machines, so the workflows are checked here: against
// the workflow schema, and against what they call (.ci/steps, package.json) and what the code expects.
const ROOT = join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  "timeout-minutes"?: number;
  services?: Record<string, { image: string; env?: Record<string, string>; ports: string[] }>;
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_FILES = readdirSync(join(ROOT, ".github/workflows")).sort();
const sources = Object.fromEntries(WORKFLOW_FILES.map((file) => [file, read(`.github/workflows/${file}`)]));
const workflows = Object.fromEntries(
  WORKFLOW_FILES.map((file) => [file.replace(/\.yml$/, ""), parse(sources[file]!) as Workflow]),
);
const allSteps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
const runs = Object.values(workflows).flatMap((workflow) => allSteps(workflow).flatMap((step) => step.run ?? []));

const ciSteps = read(".ci/steps");
/** The step names `.ci/steps` accepts: the labels of its `case`. */
const STEP_NAMES = [...ciSteps.matchAll(/^ {2}([\w-]+)\)/gm)].map((m) => m[1]!);
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: object }).scripts);
// pnpm's own commands that the workflows use; everything else must be a package.json script.
const PNPM_COMMANDS = ["audit", "exec", "install"];
const pnpmCalls = (text: string) =>
  // eslint-disable-next-line security/detect-unsafe-regex -- one optional flag group between fixed words: linear; on our own workflow files
  [...text.matchAll(/(?:^|[\s;&|(])pnpm\s+(?:--silent\s+|-s\s+)?([\w:-]+)/g)].map((m) => m[1]!);

const runSteps = (...args: string[]) =>
  spawnSync(join(ROOT, ".ci/steps"), args, { encoding: "utf8", env: { ...process.env, GITHUB_ACTIONS: "" } });

describe("the workflows", () => {
  it("are the four the project runs", () => {
    expect(WORKFLOW_FILES).toEqual(["docker.yml", "quality.yml", "release.yml", "test.yml"]);
  });

  it.each(WORKFLOW_FILES)("%s validates against the workflow schema", (file) => {
    expect(validateWorkflow(sources[file]!).errors).toEqual([]);
  });

  it("the validator does reject a malformed workflow (so the check above means something)", () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: x\n        bogus: 1\n";
    expect(validateWorkflow(broken).errors).not.toEqual([]);
  });

  it.each(Object.keys(workflows))(
    "%s reads the repository only, unless a job says more, and bounds every job",
    (name) => {
      const workflow = workflows[name]!;
      expect(workflow.permissions).toEqual({ contents: "read" });
      for (const [id, job] of Object.entries(workflow.jobs)) {
        // A job that calls a reusable workflow takes that workflow's timeouts.
        if (!job.uses) expect(job["timeout-minutes"], `${name}.${id}`).toBeGreaterThan(0);
      }
    },
  );

  it("call .ci/steps with steps it has, and pnpm with scripts package.json has", () => {
    const called = runs.flatMap((run) => [...run.matchAll(/\.ci\/steps\s+([\w-]+)/g)].map((m) => m[1]!));
    expect(called.length).toBeGreaterThan(5);
    for (const step of called) expect(STEP_NAMES).toContain(step);
    for (const command of [...runs.flatMap(pnpmCalls), ...pnpmCalls(ciSteps)])
      expect([...scripts, ...PNPM_COMMANDS], `pnpm ${command}`).toContain(command);
  });

  it("never run what .ci/steps runs by another way, so the two cannot drift", () => {
    for (const run of runs) {
      expect(run).not.toMatch(/\b(vitest|eslint|prettier|tsc)\b/);
      expect(
        pnpmCalls(run).filter((c) => ["install", "test", "test:coverage", "lint", "typecheck"].includes(c)),
      ).toEqual([]);
      expect(run).not.toMatch(/format:check/);
    }
  });

  it("set up pnpm from package.json's packageManager and cache its store", () => {
    const setups = Object.values(workflows).flatMap(allSteps);
    const pnpm = setups.filter((step) => step.uses?.startsWith("pnpm/action-setup@"));
    expect(pnpm.length).toBeGreaterThan(0);
    // With no version input, the action installs exactly packageManager's pnpm.
    for (const step of pnpm) expect(step.with?.version).toBeUndefined();
    for (const step of setups.filter((s) => s.uses?.startsWith("actions/setup-node@")))
      expect([22, 24, "${{ matrix.node }}"]).toContain(step.with?.["node-version"]);
  });

  it("only reference secrets that docs/ci-cd.md documents", () => {
    const secrets = new Set(
      Object.values(sources).flatMap((text) => [...text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]!)),
    );
    expect([...secrets].sort()).toEqual(["ALERT_WEBHOOK_URL", "GITHUB_TOKEN", "KUBECONFIG", "SLACK_WEBHOOK_URL"]);
    const docs = read("docs/ci-cd.md");
    for (const secret of secrets) expect(docs, secret).toContain(`\`${secret}\``);
  });
});

describe("test.yml", () => {
  const job = workflows.test!.jobs.test!;
  const services = job.services!;

  it("runs on main and pull requests, on Node 22 (the images') and 24, and can be called by release.yml", () => {
    expect(Object.keys(workflows.test!.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
    expect(JSON.stringify(job)).toContain('"node":[22,24]');
    const imageNode = /^FROM node:(\d+)\./m.exec(read("ops/Dockerfile"))?.[1];
    expect(imageNode).toBe("22");
  });

  it("starts PostgreSQL with the user, database and trust auth of the tests' database URL", () => {
    const url = new URL(TEST_DATABASE_URL);
    expect(job.env?.TEST_DATABASE_URL).toBe(TEST_DATABASE_URL);
    expect(services.postgres!.image).toMatch(/^postgres:15/);
    expect(services.postgres!.env).toEqual({
      POSTGRES_USER: url.username,
      POSTGRES_DB: url.pathname.slice(1),
      // The URL carries no password.
      POSTGRES_HOST_AUTH_METHOD: url.password ? undefined : "trust",
    });
    expect(services.postgres!.ports).toEqual([`${url.port}:5432`]);
  });

  it("starts Redis where the tests look for it", () => {
    const url = new URL(TEST_REDIS_URL);
    expect(job.env?.TEST_REDIS_URL).toBe(TEST_REDIS_URL);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services.redis!.ports).toEqual([`${url.port}:6379`]);
  });

  it("installs, runs the suite with coverage, summarises and uploads coverage/", () => {
    const steps = job.steps!;
    expect(steps.flatMap((step) => step.run?.match(/^\.ci\/steps .*/) ?? [])).toEqual([
      ".ci/steps install",
      ".ci/steps test-coverage",
    ]);
    expect(steps.find((step) => step.run?.includes("GITHUB_STEP_SUMMARY"))?.run).toContain(
      "coverage/coverage-summary.json",
    );
    expect(steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"))?.with?.path).toBe("coverage/");
  });
});

describe("quality.yml", () => {
  const jobs = workflows.quality!.jobs;

  it("checks types, lint with annotations, formatting, advisories and the schema", () => {
    const runsOf = (id: string) => jobs[id]!.steps!.flatMap((step) => step.run ?? []).join("\n");
    expect(runsOf("typecheck")).toContain(".ci/steps typecheck");
    expect(runsOf("lint")).toContain(".ci/steps lint --github");
    expect(runsOf("format")).toContain(".ci/steps format");
    expect(runsOf("audit")).toContain("pnpm audit --audit-level high");
    expect(runsOf("schema")).toMatch(/pnpm schema:check "\$\{args\[@\]\}"/);
  });

  it("compares the schema with the base branch, with its history, and allows breaking it only by label", () => {
    const schema = jobs.schema!;
    expect(schema.steps![0]!.with?.["fetch-depth"]).toBe(0);
    const check = schema.steps!.find((step) => step.run?.includes("schema:check"))!;
    expect(check.env?.BASE_REF).toContain("github.base_ref");
    expect(check.env?.ALLOW_BREAKING).toContain("'breaking-change'");
    expect(check.run).toContain("--allow-breaking");
    expect(check.run).toContain('--base "$BASE_REF"');
    expect((workflows.quality!.on.pull_request as { types: string[] }).types).toEqual(
      expect.arrayContaining(["labeled", "unlabeled"]),
    );
  });
});

describe("docker.yml", () => {
  const { build, smoke } = workflows.docker!.jobs;
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, { image?: string; build?: { dockerfile: string }; ports?: string[] }>;
  };

  it("builds ops/Dockerfile for amd64 and arm64 with a registry cache, pushing from main and tags only", () => {
    const pushes = build!.steps!.filter((step) => step.uses?.startsWith("docker/build-push-action@"));
    expect(pushes[0]!.with).toMatchObject({
      file: compose.services.gateway!.build!.dockerfile,
      platforms: "linux/amd64,linux/arm64",
      push: "${{ env.PUSH == 'true' }}",
    });
    expect(pushes[0]!.with?.["cache-from"]).toMatch(/^type=registry,/);
    expect(pushes[0]!.with?.["cache-to"]).toContain("type=registry,");
    expect(workflows.docker!.env?.PUSH).toMatch(/github.event_name != 'pull_request'/);
    expect(workflows.docker!.env?.PUSH).toContain("refs/tags/v");
    const tags = build!.steps!.find((step) => step.uses?.startsWith("docker/metadata-action@"))!.with!.tags as string;
    expect(tags).toMatch(/type=sha/);
    expect(tags).toMatch(/type=semver/);
    expect(tags).toMatch(/latest.*is_default_branch/);
    // The smoke job's image is compose's: `docker compose up --no-build` then runs this build.
    expect(pushes[1]!.with?.tags).toBe(compose.services.gateway!.image);
  });

  it("smoke-tests the stack on the gateway's port and health routes, with the secrets compose requires", () => {
    const text = JSON.stringify(smoke);
    const port = gatewayEnvSchema.shape.GATEWAY_PORT.parse(undefined);
    expect(compose.services.gateway!.ports).toEqual([`${port}:${port}`]);
    const routes: string[] = [];
    registerHealthRoutes({ get: (path: string) => routes.push(path) } as never, "probe");
    for (const path of ["/health", "/ready", "/graphql"]) {
      if (path !== "/graphql") expect(routes).toContain(path);
      expect(text).toContain(`http://localhost:${port}${path}`);
    }
    expect(text).toContain("x-api-key: $POKEWATCH_ADMIN_KEY");
    // Every `${VAR:?…}` of docker-compose.yml must be set, or compose refuses to start.
    const required = [...read("docker-compose.yml").matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    expect(required.sort()).toEqual(["POKEWATCH_ADMIN_KEY", "SUBGRAPH_SECRET"]);
    expect(smoke!.env?.SUBGRAPH_SECRET?.length).toBeGreaterThanOrEqual(32);
    expect(text).toContain('POKEWATCH_ADMIN_KEY=$key\\" >> \\"$GITHUB_ENV');
  });
});

describe("release.yml", () => {
  const release = workflows.release!;

  it("runs on v* tags through the test and image workflows, which accept the call", () => {
    expect(release.on).toEqual({ push: { tags: ["v*"] } });
    expect(release.jobs.test!.uses).toBe("./.github/workflows/test.yml");
    expect(release.jobs.images!.uses).toBe("./.github/workflows/docker.yml");
    for (const name of ["test", "docker"]) expect(workflows[name]!.on).toHaveProperty("workflow_call");
  });

  it("deploys the staging overlay's namespace and deployments, and notifies on failure", () => {
    const deploy = release.jobs["deploy-staging"]!;
    const [namespace] = new Set(
      renderKustomization(join(ROOT, "ops/k8s/overlays/staging")).map((o) => o.metadata.namespace),
    );
    expect(deploy.env?.NAMESPACE).toBe(namespace);
    const script = deploy.steps!.map((step) => step.run ?? "").join("\n");
    expect(script).toContain("kubectl apply -k ops/k8s/overlays/staging");
    expect(script).toContain(`for name in ${Object.keys(SERVICES).join(" ")}; do`);
    expect(script).toContain("::notice::");
    expect(JSON.stringify(release.jobs.notify)).toContain('"if":"failure()"');
  });
});

describe("dependabot.yml", () => {
  // action-validator has no schema for it: its shape and directories are checked here.
  const config = parse(read(".github/dependabot.yml")) as {
    version: number;
    updates: { "package-ecosystem": string; directory: string; groups?: object }[];
  };

  it("updates npm (grouped minor and patch), GitHub Actions and the Dockerfile's base image", () => {
    expect(config.version).toBe(2);
    const byEcosystem = Object.fromEntries(config.updates.map((u) => [u["package-ecosystem"], u]));
    expect(Object.keys(byEcosystem).sort()).toEqual(["docker", "github-actions", "npm"]);
    expect(existsSync(join(ROOT, byEcosystem.npm!.directory, "pnpm-lock.yaml"))).toBe(true);
    expect(JSON.stringify(byEcosystem.npm!.groups)).toContain('"update-types":["minor","patch"]');
    expect(existsSync(join(ROOT, byEcosystem.docker!.directory, "Dockerfile"))).toBe(true);
  });
});

describe(".ci/steps", () => {
  it("is what .ci/run runs, and its `all` ends with the README's test command", () => {
    expect(read(".ci/run")).toMatch(/^\.ci\/steps all$/m);
    expect(STEP_NAMES).toEqual(["install", "typecheck", "lint", "format", "test", "test-coverage", "all"]);
    const all = /^ {2}all\)\n([\s\S]*?);;/m.exec(ciSteps)![1]!.trim().split(/\s+/);
    expect(all).toEqual(["install", "typecheck", "lint", "format", "run_tests"]);
    expect(/^run_tests\(\) \{\n\s*(.*)\n\}/m.exec(ciSteps)![1]).toBe("pnpm test");
  });

  it("refuses an unknown step or option with its usage and exit code 2", () => {
    for (const args of [["deploy"], [], ["lint", "--fix"]]) {
      const result = runSteps(...args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(`steps: ${STEP_NAMES.join(" ")}`);
    }
    expect(runSteps("deploy").stderr).toContain('unknown step "deploy"');
  });
});

describe("eslint annotations", () => {
  it("turns each problem into an error or warning on its file and line, escaped as GitHub requires", () => {
    const lines = toAnnotations(
      [
        {
          filePath: join(ROOT, "gateway/src/a,b.ts"),
          messages: [
            { ruleId: "no-console", severity: 2, message: "Unexpected console\n100%", line: 3, column: 5 },
            { ruleId: null, severity: 1, message: "Parsing: hmm" },
          ],
        },
        { filePath: join(ROOT, "clean.ts"), messages: [] },
      ],
      ROOT,
    );
    expect(lines).toEqual([
      "::error file=gateway/src/a%2Cb.ts,line=3,col=5,title=no-console::Unexpected console%0A100%25",
      "::warning file=gateway/src/a%2Cb.ts::Parsing: hmm",
    ]);
  });
});
