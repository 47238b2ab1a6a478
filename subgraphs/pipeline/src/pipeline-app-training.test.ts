import type { Database } from "@pokewatch/kit";
import { createMarketSimulator, createPriceStore, formatIsoDay } from "@pokewatch/market";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callers, openPipelineTestApp, testCatalog, type PipelineTestApp } from "./pipeline-app.fixture.js";
import { STEP_NAMES } from "./pipeline/pipeline-types.js";

/** 90 days of the 30-card catalog up to yesterday, stored as an import would store them. */
async function storeSimulatedPrices(db: Database) {
  const catalog = testCatalog();
  const endDate = formatIsoDay(Math.floor(Date.now() / 86_400_000) - 1);
  const simulator = createMarketSimulator({ cards: catalog.size, days: 90, seed: 7, endDate, catalog });
  const points = simulator.cards.flatMap((_card, index) => [...simulator.simulateCardSeries(index)]);
  await createPriceStore(db).upsert(points);
}

/** Training for real, 5 trees on the stored prices: well under a second a run. */
let fixture: PipelineTestApp;
beforeAll(async () => (fixture = await openPipelineTestApp({ seed: storeSimulatedPrices })));
afterAll(() => fixture.close());

interface Run {
  id: string;
  status: string;
  trigger: string;
  error: string | null;
  durationMs: number | null;
  promoted: boolean;
  steps: { name: string; status: string; durationMs: number | null; message: string | null }[];
  producedModel: { id: string; version: number; stage: string; trainingSummary: { cards: number } } | null;
  comparison: {
    better: boolean;
    candidate: { mape: number };
    production: { mape: number } | null;
    productionModel: { id: string } | null;
  } | null;
  artifacts: { name: string; url: string; contentType: string; sha256: string; content: string; dataUrl: string }[];
}

const RUN_FIELDS = `id status trigger error durationMs promoted
  steps { name status durationMs message }
  producedModel { id version stage trainingSummary { cards } }
  comparison { better candidate { mape } production { mape } productionModel { id } }
  artifacts { name url contentType sha256 content dataUrl }`;

async function trigger(identity = callers.operator) {
  return fixture.query<{ triggerPipelineRun: Run }>(`mutation { triggerPipelineRun { ${RUN_FIELDS} } }`, {
    identity,
  });
}

async function runById(id: string): Promise<Run> {
  const { body } = await fixture.query<{ pipelineRun: Run }>(
    `query ($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`,
    {
      variables: { id },
    },
  );
  return body.data!.pipelineRun;
}

const statuses = (run: Run) => Object.fromEntries(run.steps.map((step) => [step.name, step.status]));

describe("a first run, with no model in production", () => {
  let first: Run;

  it("is returned at once, before it has trained, with its seven steps", async () => {
    const { body } = await trigger();
    first = body.data!.triggerPipelineRun;
    expect(["QUEUED", "RUNNING"]).toContain(first.status);
    expect(first).toMatchObject({ trigger: "MANUAL", error: null, promoted: false, producedModel: null });
    expect(first.steps.map((step) => step.name)).toEqual(STEP_NAMES);
  });

  it("refuses a second trigger while it is active: CONFLICT naming it, then RATE_LIMITED for a key over its limit", async () => {
    const { body } = await trigger();
    expect(body.errors?.[0]).toMatchObject({
      message: `a pipeline run is already active: ${first.id}; watch it with pipelineRun and trigger again once it has finished`,
      extensions: { code: "CONFLICT", activeRunId: first.id },
    });
    // A call the gateway did not count: the subgraph counts it, one trigger per key per 5 minutes.
    const counted = await trigger(callers.uncounted);
    expect(counted.body.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });
    const limited = await trigger(callers.uncounted);
    expect(limited.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^Mutation\.triggerPipelineRun allows 1 calls per 300 s for each key; retry in \d+ s\.$/,
      ),
      extensions: { code: "RATE_LIMITED", field: "Mutation.triggerPipelineRun" },
    });
  });

  it("shows itself as the active run meanwhile", async () => {
    const { body } = await fixture.query<{ pipelineHealth: { activeRun: { id: string } | null } }>(
      "{ pipelineHealth { activeRun { id } } }",
    );
    expect(body.data?.pipelineHealth.activeRun).toEqual({ id: first.id });
  });

  it("succeeds: every step ran and took time, its model registered and promoted", async () => {
    await fixture.service.runner.idle();
    const run = await runById(first.id);
    expect(run).toMatchObject({ status: "SUCCEEDED", error: null, promoted: true });
    expect(run.durationMs).toBeGreaterThan(0);
    expect(statuses(run)).toEqual(Object.fromEntries(STEP_NAMES.map((name) => [name, "SUCCEEDED"])));
    for (const step of run.steps) {
      expect(step.durationMs, step.name).toBeGreaterThanOrEqual(0);
      expect(step.message, step.name).toBeTruthy();
    }
    expect(run.producedModel).toMatchObject({ version: 1, stage: "PRODUCTION", trainingSummary: { cards: 30 } });
    // With nothing in production, any candidate is better.
    expect(run.comparison).toMatchObject({ better: true, production: null, productionModel: null });
    expect(run.comparison!.candidate.mape).toBeGreaterThan(0);

    const { body } = await fixture.query<{ productionModel: { id: string } }>("{ productionModel { id } }");
    expect(body.data?.productionModel).toEqual({ id: run.producedModel!.id });
    first = run;
  });

  it("leaves its evaluation plots in the database, served as SVG text and data URLs over GraphQL", () => {
    expect(first.artifacts.map(({ name, contentType }) => ({ name, contentType }))).toEqual(
      ["error-distribution.svg", "predicted-vs-actual.svg"].map((name) => ({ name, contentType: "image/svg+xml" })),
    );
    for (const artifact of first.artifacts) {
      expect(artifact.content).toMatch(/^<svg[\s>]/);
      expect(artifact.sha256).toBe(createHash("sha256").update(artifact.content, "utf8").digest("hex"));
      expect(artifact.dataUrl).toBe(
        `data:image/svg+xml;base64,${Buffer.from(artifact.content, "utf8").toString("base64")}`,
      );
      // The deprecated url is the same data URL: nothing to fetch from the pipeline service.
      expect(artifact.url).toBe(artifact.dataUrl);
    }
  });

  describe("then a second run on the same data", () => {
    let second: Run;
    beforeAll(async () => {
      const { body } = await trigger();
      await fixture.service.runner.idle();
      second = await runById(body.data!.triggerPipelineRun.id);
    });

    it("reuses the first run's outputs up to the trained model", () => {
      expect(second).toMatchObject({ status: "SUCCEEDED", promoted: false });
      expect(statuses(second)).toMatchObject({
        // Nothing left to collect that day.
        collect: "CACHED",
        ingest: "CACHED",
        validate: "CACHED",
        features: "CACHED",
        train: "CACHED",
        // Production changed since the first run: the comparison is made again.
        evaluate: "SUCCEEDED",
        register: "SUCCEEDED",
        promote: "SKIPPED",
      });
      const cached = second.steps.filter((step) => step.status === "CACHED");
      expect(cached.map((step) => step.message)).toEqual(
        cached.map(() => "cached: same inputs and code as an earlier successful run"),
      );
    });

    it("keeps production as it is: the candidate is the production model itself, not better than it", () => {
      expect(second.comparison).toEqual({
        better: false,
        candidate: { mape: first.comparison!.candidate.mape },
        production: { mape: first.comparison!.candidate.mape },
        productionModel: { id: first.producedModel!.id },
      });
      // The same model, so the same artifact: registered once, and already in production.
      expect(second.producedModel).toMatchObject({ id: first.producedModel!.id, stage: "PRODUCTION" });
      expect(second.steps.find((step) => step.name === "register")?.message).toMatch(/^reused /);
      expect(second.steps.find((step) => step.name === "promote")?.message).toMatch(/already is the production model/);
    });

    it("still has its own plots", () => {
      expect(second.artifacts.map((artifact) => artifact.name)).toEqual([
        "error-distribution.svg",
        "predicted-vs-actual.svg",
      ]);
      for (const artifact of second.artifacts) expect(artifact.content).toMatch(/^<svg[\s>]/);
    });

    it("is HEALTHY", async () => {
      const { body } = await fixture.query(
        "{ pipelineHealth { status consecutiveFailures lastRun { id } activeRun { id } } }",
      );
      expect(body.data?.pipelineHealth).toEqual({
        status: "HEALTHY",
        consecutiveFailures: 0,
        lastRun: { id: second.id },
        activeRun: null,
      });
    });
  });
});
