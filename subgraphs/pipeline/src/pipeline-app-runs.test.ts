import type { Database } from "@pokewatch/kit";
import { silentLogger } from "@pokewatch/kit/testing";
import { type ModelMetrics, type ModelVersion } from "@pokewatch/model";
import { newModelVersionFixture } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPipelineTestApp, openTestDatabase, testCatalog, type PipelineTestApp } from "./pipeline-app.fixture.js";
import { createPipelineService } from "./pipeline/pipeline-service.js";
import {
  STEP_NAMES,
  type PipelineRunRecord,
  type RunStore,
  type RunTrigger,
  type StepName,
  type StepStatus,
} from "./pipeline/pipeline-types.js";

const clock = () => new Date("2026-11-05T12:00:00Z");
let fixture: PipelineTestApp;
let db: Database;
let store: RunStore;
/** Every `stepsOfRuns` call the app made: the batches of its steps loader. */
const stepBatches: string[][] = [];
let versions: ModelVersion[];
const runs: Record<string, PipelineRunRecord> = {};

const metrics = (mape: number): ModelMetrics => ({
  n: 40,
  mape,
  rmse: 2,
  mae: 1,
  intervalCoverage: 0.8,
  baselines: { lastPrice: { mape: 0.06, rmse: 3, mae: 1.5 }, rollingMean3: { mape: 0.05, rmse: 2.5, mae: 1.25 } },
});

interface SeededRun {
  trigger: RunTrigger;
  day: number;
  /** Step statuses in STEP_NAMES order; the run FAILED when one FAILED. */
  steps: StepStatus[];
  producedModelId?: string | null;
  promoted?: boolean;
}

const ok: StepStatus[] = [...Array<StepStatus>(STEP_NAMES.length - 1).fill("SUCCEEDED"), "SKIPPED"];
const failedValidate: StepStatus[] = STEP_NAMES.map((name, i) =>
  i < STEP_NAMES.indexOf("validate") ? "SUCCEEDED" : name === "validate" ? "FAILED" : "SKIPPED",
);

/** A finished run written through the store as the runner writes it: each step a second long. */
async function seedRun({ trigger, day, steps, producedModelId = null, promoted = false }: SeededRun) {
  const at = (second: number) => new Date(Date.UTC(2026, 10, day, 3, 0, second));
  const run = await store.create({ trigger, scheduledFor: trigger === "SCHEDULE" ? at(0) : null, now: at(0) });
  await store.start(run.id, at(0));
  for (const [index, status] of steps.entries()) {
    const name = STEP_NAMES[index]!;
    // After a failure the steps are skipped without starting; promote skips itself after running.
    const ran = !steps.slice(0, index).includes("FAILED");
    await store.updateStep(run.id, name, {
      status,
      ...(ran && { startedAt: at(index), finishedAt: at(index + 1) }),
      message: `${name} ${status.toLowerCase()}`,
    });
  }
  const failed = steps.indexOf("FAILED");
  await store.finish(run.id, {
    status: failed >= 0 ? "FAILED" : "SUCCEEDED",
    error: failed >= 0 ? `${STEP_NAMES[failed]}: it broke` : null,
    producedModelId,
    promoted,
    comparison:
      failed >= 0 ? null : { candidate: metrics(0.04), production: null, productionModelId: null, better: true },
    now: at(steps.length),
  });
  return (await store.findById(run.id))!;
}

beforeAll(async () => {
  db = await openTestDatabase();
  const service = createPipelineService({
    db,
    logger: silentLogger(),
    dataDir: "/nonexistent",
    catalog: testCatalog(),
  });
  store = service.store;
  const recording: RunStore = {
    ...store,
    stepsOfRuns(runIds) {
      stepBatches.push([...runIds]);
      return store.stepsOfRuns(runIds);
    },
  };
  fixture = await openPipelineTestApp({ db, clock, service: { ...service, store: recording } });
  const { registry } = fixture.service;
  versions = [
    await registry.register(newModelVersionFixture(1), { stage: "PRODUCTION" }),
    await registry.register(newModelVersionFixture(2)),
    await registry.register(newModelVersionFixture(3)),
  ];
  runs.r1 = await seedRun({ trigger: "SCHEDULE", day: 1, steps: ok });
  runs.r2 = await seedRun({ trigger: "MANUAL", day: 2, steps: failedValidate });
  runs.r3 = await seedRun({ trigger: "SCHEDULE", day: 3, steps: ok });
  runs.r4 = await seedRun({ trigger: "SCHEDULE", day: 4, steps: failedValidate });
  runs.r5 = await seedRun({ trigger: "MANUAL", day: 5, steps: ok, producedModelId: versions[0]!.id, promoted: true });
});
afterAll(async () => {
  await fixture.close();
  await db.close();
});

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
const ids = (page: Page | undefined) => page?.edges.map((edge) => edge.node.id);
const name = (id: string) => Object.entries(runs).find(([, run]) => run.id === id)?.[0];

async function runsPage(args: string) {
  const { body } = await fixture.query<{ pipelineRuns: Page }>(
    `query ($after: String) { pipelineRuns(${args}, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
  );
  return body;
}

describe("Query.pipelineRuns", () => {
  it("pages through every run, newest first", async () => {
    const seen: (string | undefined)[][] = [];
    let after: string | null = null;
    let hasPreviousPage: boolean[] = [];
    for (;;) {
      const { body } = await fixture.query<{ pipelineRuns: Page }>(
        `query ($after: String) { pipelineRuns(first: 2, after: $after) {
          edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        { variables: { after } },
      );
      const page: Page = body.data!.pipelineRuns;
      seen.push(ids(page)!.map(name));
      hasPreviousPage = [...hasPreviousPage, page.pageInfo.hasPreviousPage];
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([["r5", "r4"], ["r3", "r2"], ["r1"]]);
    expect(hasPreviousPage).toEqual([false, true, true]);
  });

  it.each([
    ["status: FAILED", ["r4", "r2"]],
    ["trigger: SCHEDULE", ["r4", "r3", "r1"]],
    ["status: SUCCEEDED, trigger: SCHEDULE", ["r3", "r1"]],
    ["status: RUNNING", []],
  ])("filters by %s", async (filter, expected) => {
    const body = await runsPage(filter);
    expect(ids(body.data?.pipelineRuns)?.map(name)).toEqual(expected);
  });

  it.each([
    ["first: 0", "first must be from 1 to 100; got 0", "first"],
    ["first: 101", "first must be from 1 to 100; got 101", "first"],
    ['after: "not-a-cursor"', "after must be an endCursor returned by pipelineRuns", "after"],
  ])("refuses %s with BAD_USER_INPUT", async (args, message, argument) => {
    const { body } = await fixture.query(`{ pipelineRuns(${args}) { edges { cursor } } }`);
    expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: "BAD_USER_INPUT", argument } });
  });

  it("reads the steps of a whole page in one query", async () => {
    stepBatches.length = 0;
    const { body } = await fixture.query<{ pipelineRuns: { edges: { node: { steps: { name: StepName }[] } }[] } }>(
      "{ pipelineRuns(first: 5) { edges { node { id steps { name status } } } } }",
    );
    expect(body.data?.pipelineRuns.edges.map(({ node }) => node.steps.map((step) => step.name))).toEqual(
      Array.from({ length: 5 }, () => [...STEP_NAMES]),
    );
    expect(stepBatches.map((batch) => batch.map(name))).toEqual([["r5", "r4", "r3", "r2", "r1"]]);
  });

  it("reads each run's steps once per request, however often they are selected", async () => {
    stepBatches.length = 0;
    await fixture.query(
      `{ a: pipelineRuns(first: 2) { edges { node { steps { name } } } }
         b: pipelineRun(id: "${runs.r5!.id}") { steps { status } again: steps { message } } }`,
    );
    expect(stepBatches.flat().map(name).sort()).toEqual(["r4", "r5"]);
  });
});

describe("Query.pipelineRun", () => {
  it("shows a run with its steps in run order, the failing one and those skipped after it", async () => {
    const { body } = await fixture.query(
      `{ pipelineRun(id: "${runs.r4!.id}") { id status trigger createdAt startedAt finishedAt durationMs error
          scheduledFor promoted producedModel { id } comparison { better } artifacts { name }
          steps { name status startedAt finishedAt durationMs message } } }`,
    );
    const at = (second: number) => `2026-11-04T03:00:0${second}.000Z`;
    expect(body.data?.pipelineRun).toEqual({
      id: runs.r4!.id,
      status: "FAILED",
      trigger: "SCHEDULE",
      createdAt: at(0),
      startedAt: at(0),
      finishedAt: at(8),
      durationMs: 8000,
      error: "validate: it broke",
      scheduledFor: at(0),
      promoted: false,
      producedModel: null,
      comparison: null,
      artifacts: [],
      steps: STEP_NAMES.map((step, index) => {
        const status = failedValidate[index]!;
        const ran = status !== "SKIPPED";
        return {
          name: step,
          status,
          startedAt: ran ? at(index) : null,
          finishedAt: ran ? at(index + 1) : null,
          durationMs: ran ? 1000 : null,
          message: `${step} ${status.toLowerCase()}`,
        };
      }),
    });
  });

  it("shows what a successful run produced and how its candidate compared", async () => {
    const { body } = await fixture.query(
      `{ pipelineRun(id: "${runs.r5!.id}") { promoted producedModel { id version stage }
          comparison { better candidate { mape baselineMape } production { mape } productionModel { id } } } }`,
    );
    expect(body.data?.pipelineRun).toEqual({
      promoted: true,
      producedModel: { id: versions[0]!.id, version: 1, stage: "PRODUCTION" },
      comparison: {
        better: true,
        candidate: { mape: 0.04, baselineMape: 0.05 },
        production: null,
        productionModel: null,
      },
    });
  });

  it("is NOT_FOUND for an unknown id", async () => {
    const { body } = await fixture.query(`{ pipelineRun(id: "run_nope") { id } }`);
    expect(body.data).toEqual({ pipelineRun: null });
    expect(body.errors?.[0]).toMatchObject({
      message: 'No pipeline run with id "run_nope"',
      path: ["pipelineRun"],
      extensions: { code: "NOT_FOUND", argument: "id" },
    });
  });
});

describe("Query.pipelineHealth", () => {
  it("is HEALTHY when the last run succeeded within 2 days, naming it", async () => {
    const { body } = await fixture.query(
      "{ pipelineHealth { status lastSuccessAt consecutiveFailures lastRun { id } activeRun { id } } }",
    );
    expect(body.data?.pipelineHealth).toEqual({
      status: "HEALTHY",
      lastSuccessAt: "2026-11-05T03:00:08.000Z",
      consecutiveFailures: 0,
      lastRun: { id: runs.r5!.id },
      activeRun: null,
    });
  });
});

describe("Query.modelVersions and productionModel", () => {
  const versionsQuery = `query ($first: Int, $after: String, $stage: ModelStage) {
    modelVersions(first: $first, after: $after, stage: $stage) {
      edges { cursor node { id version stage } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

  it("pages through the registry, newest version first", async () => {
    const first = await fixture.query<{ modelVersions: Page }>(versionsQuery, { variables: { first: 2 } });
    const page1 = first.body.data!.modelVersions;
    expect(page1.edges.map((edge) => edge.node)).toEqual([
      { id: versions[2]!.id, version: 3, stage: "STAGING" },
      { id: versions[1]!.id, version: 2, stage: "STAGING" },
    ]);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await fixture.query<{ modelVersions: Page }>(versionsQuery, {
      variables: { first: 2, after: page1.pageInfo.endCursor },
    });
    expect(ids(second.body.data?.modelVersions)).toEqual([versions[0]!.id]);
    expect(second.body.data?.modelVersions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("filters by stage and shows the production model", async () => {
    const { body } = await fixture.query<{ modelVersions: Page }>(versionsQuery, {
      variables: { stage: "PRODUCTION" },
    });
    expect(ids(body.data?.modelVersions)).toEqual([versions[0]!.id]);
    const production = await fixture.query(
      "{ productionModel { id version stage trainingSummary { from to sources } metrics { mape } } }",
    );
    expect(production.body.data?.productionModel).toEqual({
      id: versions[0]!.id,
      version: 1,
      stage: "PRODUCTION",
      trainingSummary: { from: "2025-01-01", to: "2025-11-30", sources: ["simulator seed=42", "prices/daily.csv"] },
      metrics: { mape: versions[0]!.metrics.mape },
    });
  });

  it.each([
    [{ first: 0 }, "first must be from 1 to 100; got 0", "first"],
    [{ after: "bm9wZQ" }, "after must be an endCursor returned by modelVersions", "after"],
  ])("refuses %j with BAD_USER_INPUT", async (variables, message, argument) => {
    const { body } = await fixture.query(versionsQuery, { variables });
    expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: "BAD_USER_INPUT", argument } });
  });
});

describe("Mutation.promoteModel and rollbackModel", () => {
  const promote = (id: string) => fixture.query(`mutation { promoteModel(id: "${id}") { id version stage } }`);
  const rollback = () => fixture.query("mutation { rollbackModel { id version stage } }");
  const stages = async () => {
    const { body } = await fixture.query<{ modelVersions: { edges: { node: { version: number; stage: string } }[] } }>(
      "{ modelVersions { edges { node { version stage } } } }",
    );
    return Object.fromEntries(body.data!.modelVersions.edges.map(({ node }) => [node.version, node.stage]));
  };

  it("promotes any version by hand, archiving the production one", async () => {
    const { body } = await promote(versions[1]!.id);
    expect(body.data?.promoteModel).toEqual({ id: versions[1]!.id, version: 2, stage: "PRODUCTION" });
    expect(await stages()).toEqual({ 1: "ARCHIVED", 2: "PRODUCTION", 3: "STAGING" });
  });

  it("rolls back to the production version the current one replaced", async () => {
    const { body } = await rollback();
    expect(body.data?.rollbackModel).toEqual({ id: versions[0]!.id, version: 1, stage: "PRODUCTION" });
    expect(await stages()).toEqual({ 1: "PRODUCTION", 2: "ARCHIVED", 3: "STAGING" });
  });

  it("rolls back to the one archived last, not the highest archived version", async () => {
    await promote(versions[2]!.id);
    expect(await stages()).toEqual({ 1: "ARCHIVED", 2: "ARCHIVED", 3: "PRODUCTION" });
    const { body } = await rollback();
    expect(body.data?.rollbackModel).toMatchObject({ version: 1, stage: "PRODUCTION" });
    expect(await stages()).toEqual({ 1: "PRODUCTION", 2: "ARCHIVED", 3: "ARCHIVED" });
  });

  it("changes nothing when promoting the production version", async () => {
    const { body } = await promote(versions[0]!.id);
    expect(body.data?.promoteModel).toMatchObject({ version: 1, stage: "PRODUCTION" });
    expect(await stages()).toEqual({ 1: "PRODUCTION", 2: "ARCHIVED", 3: "ARCHIVED" });
  });

  it("is NOT_FOUND for an unknown version", async () => {
    const { body } = await promote("mv_nope");
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      message: 'No model version with id "mv_nope"',
      path: ["promoteModel"],
      extensions: { code: "NOT_FOUND", argument: "id" },
    });
  });
});
