import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPipelineTestApp, type PipelineTestApp } from "./pipeline-app.fixture.js";

/** No prices stored and no simulation: every run fails at ingest. */
let fixture: PipelineTestApp;
beforeAll(async () => (fixture = await openPipelineTestApp({ pipelineOptions: { simulateIfEmpty: false } })));
afterAll(() => fixture.close());

const healthQuery = "{ pipelineHealth { status lastSuccessAt consecutiveFailures lastRun { id status error } } }";

async function failedRun() {
  const { body } = await fixture.query<{ triggerPipelineRun: { id: string } }>(
    "mutation { triggerPipelineRun { id } }",
  );
  await fixture.service.runner.idle();
  return body.data!.triggerPipelineRun.id;
}

describe("a pipeline whose runs fail", () => {
  it("is HEALTHY before its first run: nothing has gone wrong yet", async () => {
    const { body } = await fixture.query(healthQuery);
    expect(body.data?.pipelineHealth).toEqual({
      status: "HEALTHY",
      lastSuccessAt: null,
      consecutiveFailures: 0,
      lastRun: null,
    });
  });

  it("fails the run at ingest, saying why, and skips the steps after it", async () => {
    const id = await failedRun();
    const { body } = await fixture.query<{ pipelineRun: { steps: { name: string; status: string }[] } }>(
      `{ pipelineRun(id: "${id}") { status error producedModel { id } promoted steps { name status } } }`,
    );
    expect(body.data?.pipelineRun).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(/^ingest: no prices stored: collect found none/),
      producedModel: null,
      promoted: false,
    });
    // Collect found nothing to simulate into (simulateIfEmpty off): ingest has nothing to read.
    expect(body.data?.pipelineRun.steps.map((step) => step.status)).toEqual([
      expect.stringMatching(/^(SUCCEEDED|CACHED)$/),
      "FAILED",
      ...Array.from({ length: 6 }, () => "SKIPPED"),
    ]);
  });

  it("is DEGRADED after a failed run", async () => {
    const { body } = await fixture.query<{ pipelineHealth: { lastRun: { error: string } } }>(healthQuery);
    expect(body.data?.pipelineHealth).toMatchObject({
      status: "DEGRADED",
      lastSuccessAt: null,
      consecutiveFailures: 1,
      lastRun: { status: "FAILED" },
    });
  });

  it("is FAILING after three failed runs in a row, naming the last", async () => {
    await failedRun();
    const last = await failedRun();
    const { body } = await fixture.query(healthQuery);
    expect(body.data?.pipelineHealth).toMatchObject({
      status: "FAILING",
      consecutiveFailures: 3,
      lastRun: { id: last, status: "FAILED" },
    });
  });

  it("has no model to show, and none to roll back to", async () => {
    const { body } = await fixture.query("{ productionModel { id } modelVersions { edges { cursor } } }");
    expect(body.data).toEqual({ productionModel: null, modelVersions: { edges: [] } });
    const rollback = await fixture.query("mutation { rollbackModel { id } }");
    expect(rollback.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^nothing to roll back to: /),
      extensions: { code: "BAD_USER_INPUT" },
    });
  });
});
