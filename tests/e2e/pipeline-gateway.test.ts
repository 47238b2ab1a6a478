import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_REDIS_URL, createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { createCatalog, loadBundledCatalog, simulatedCatalogData } from "@pokewatch/market";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack, type GraphQLResult, until } from "./stack-fixture.js";

// The whole issue in one session, as a user would click through it in Sandbox: trigger a run
// through the gateway, watch it, see the model it produced, and get a fair price from that model.
const catalog = createCatalog(simulatedCatalogData(20, loadBundledCatalog()));

let postgres: IsolatedPostgres;
let stack: RunningStack;
const dataDir = mkdtempSync(join(tmpdir(), "pipeline-gateway-"));

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  stack = await startTestStack({ REDIS_URL: TEST_REDIS_URL, MODEL_POLL_SECONDS: "0", DATA_DIR: dataDir }, postgres.db, {
    catalog,
    pipeline: { trees: 5, simulateDays: 90 },
  });
});
afterAll(async () => {
  await stack?.close();
  await postgres?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const RUN_FIELDS = `id status trigger durationMs error promoted
  steps { name status durationMs message }
  producedModel { id version stage }
  comparison { better candidate { mape } }
  artifacts { name url contentType }`;

interface Run {
  id: string;
  status: string;
  trigger: string;
  durationMs: number | null;
  error: string | null;
  promoted: boolean;
  steps: { name: string; status: string; durationMs: number | null; message: string | null }[];
  producedModel: { id: string; version: number; stage: string } | null;
  comparison: { better: boolean; candidate: { mape: number } } | null;
  artifacts: { name: string; url: string; contentType: string }[];
}

async function ask(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult> {
  return postGraphQL(stack.gatewayUrl, query, {}, variables ? { variables } : {});
}

describe("the training pipeline through the gateway", () => {
  it("trains, registers and promotes a model that pricing then serves", async () => {
    const cardId = catalog.cards()[0]!.id;
    const before = await ask(`query ($id: ID!) { card(id: $id) { fairPrice { fairPrice } } }`, { id: cardId });
    expect(before.body.errors?.[0]?.extensions?.code).toBe("MODEL_UNAVAILABLE");

    const triggered = await ask(`mutation { triggerPipelineRun { id status trigger } }`);
    expect(triggered.body.errors).toBeUndefined();
    const started = (triggered.body.data as { triggerPipelineRun: { id: string; status: string; trigger: string } })
      .triggerPipelineRun;
    expect(started).toMatchObject({ trigger: "MANUAL", status: expect.stringMatching(/^(QUEUED|RUNNING)$/) as string });

    // One trigger per 5 minutes per key: the second is refused at the gateway.
    const again = await ask(`mutation { triggerPipelineRun { id } }`);
    expect(again.status).toBe(429);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      field: "Mutation.triggerPipelineRun",
    });

    const run = await until(async () => {
      const { body } = await ask(`query ($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`, { id: started.id });
      const current = (body.data as { pipelineRun: Run }).pipelineRun;
      return current.status === "SUCCEEDED" || current.status === "FAILED" ? current : undefined;
    });
    expect(run.error).toBeNull();
    expect(run.status).toBe("SUCCEEDED");
    expect(run.steps.map((step) => step.name)).toEqual([
      "collect",
      "ingest",
      "validate",
      "features",
      "train",
      "evaluate",
      "register",
      "promote",
    ]);
    for (const step of run.steps) {
      expect(step.status).toBe("SUCCEEDED");
      expect(step.durationMs).toEqual(expect.any(Number));
    }
    expect(run.promoted).toBe(true);
    expect(run.comparison?.better).toBe(true);
    expect(run.producedModel).toMatchObject({ stage: "PRODUCTION" });
    expect(run.artifacts.map((artifact) => artifact.name).sort()).toEqual([
      "error-distribution.svg",
      "predicted-vs-actual.svg",
    ]);

    const production = await ask(`{ productionModel { id } pipelineHealth { status lastRun { id } } }`);
    expect(production.body.data).toEqual({
      productionModel: { id: run.producedModel!.id },
      pipelineHealth: { status: "HEALTHY", lastRun: { id: run.id } },
    });

    // Pricing swaps to the promoted model on the Redis announcement (polling is off here).
    const priced = await until(async () => {
      const { body } = await ask(
        `query ($id: ID!) { card(id: $id) { fairPrice { fairPrice signal model { id version createdAt metrics { mape } } } } }`,
        { id: cardId },
      );
      const card = (body.data as { card: { fairPrice: { model: { id: string } } | null } | null } | null)?.card;
      return card?.fairPrice ?? undefined;
    }, 20_000);
    expect(priced).toMatchObject({ model: { id: run.producedModel!.id } });

    // The model went into the database with the registry: pricing loaded it from there, and no
    // artifact file was written under DATA_DIR.
    expect(existsSync(join(dataDir, "models"))).toBe(false);

    // The plots come through the gateway, with the key, from the database: nothing has to reach
    // the pipeline service's port.
    const plotsQuery = `query ($id: ID!) { pipelineRun(id: $id) { artifacts { name contentType sha256 content dataUrl url } } }`;
    const plots = await ask(plotsQuery, { id: run.id });
    expect(plots.body.errors).toBeUndefined();
    const artifacts = (plots.body.data as { pipelineRun: { artifacts: Record<string, string>[] } }).pipelineRun
      .artifacts;
    const artifact = artifacts.find((a) => a.name === "predicted-vs-actual.svg")!;
    expect(artifact.contentType).toBe("image/svg+xml");
    expect(artifact.content!.trimStart()).toMatch(/^<svg/);
    expect(artifact.sha256).toBe(createHash("sha256").update(artifact.content!, "utf8").digest("hex"));
    expect(artifact.dataUrl).toBe(`data:image/svg+xml;base64,${Buffer.from(artifact.content!).toString("base64")}`);
    expect(artifact.url).toBe(artifact.dataUrl);

    // Refused without a key, and to a key without pipeline:read.
    const anonymous = await postGraphQL(
      stack.gatewayUrl,
      plotsQuery,
      {},
      { anonymous: true, variables: { id: run.id } },
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const pricesOnly = await ask(
      `mutation { createApiKey(input: { name: "prices only", scopes: ["prices:read"] }) { secret } }`,
    );
    const pricesSecret = (pricesOnly.body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    const forbidden = await postGraphQL(
      stack.gatewayUrl,
      plotsQuery,
      { "x-api-key": pricesSecret },
      {
        variables: { id: run.id },
      },
    );
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(forbidden.body)).not.toContain("<svg");

    // A second run on unchanged data, triggered with a second key (one trigger per 5 min per key):
    // collect runs again (the first run's simulated into an empty store, which is never a cache hit)
    // and finds nothing to do; ingest sees the store as the first run's ingest did, so it and
    // validate, features and train reuse their outputs; register
    // finds the same model already registered and promote keeps it: production and what pricing
    // serves do not change.
    const created = await ask(
      `mutation { createApiKey(input: { name: "second trigger", scopes: ["pipeline:read", "pipeline:write"] }) { secret } }`,
    );
    expect(created.body.errors).toBeUndefined();
    const secret = (created.body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    const second = await postGraphQL(stack.gatewayUrl, `mutation { triggerPipelineRun { id } }`, {
      "x-api-key": secret,
    });
    expect(second.body.errors).toBeUndefined();
    const secondId = (second.body.data as { triggerPipelineRun: { id: string } }).triggerPipelineRun.id;
    const rerun = await until(async () => {
      const { body } = await ask(`query ($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`, { id: secondId });
      const current = (body.data as { pipelineRun: Run }).pipelineRun;
      return current.status === "SUCCEEDED" || current.status === "FAILED" ? current : undefined;
    });
    expect(rerun.error).toBeNull();
    expect(rerun.status).toBe("SUCCEEDED");
    expect(Object.fromEntries(rerun.steps.map((step) => [step.name, step.status]))).toEqual({
      collect: "SUCCEEDED",
      ingest: "CACHED",
      validate: "CACHED",
      features: "CACHED",
      train: "CACHED",
      evaluate: expect.stringMatching(/^(CACHED|SUCCEEDED)$/) as string,
      register: "SUCCEEDED",
      promote: "SKIPPED",
    });
    expect(rerun.steps.find((step) => step.name === "register")?.message).toMatch(
      new RegExp(`^reused ${run.producedModel!.id} .*PRODUCTION\\)`),
    );
    expect(rerun.steps.find((step) => step.name === "promote")?.message).toContain("already is the production model");
    expect(rerun.promoted).toBe(false);
    expect(rerun.producedModel).toEqual(run.producedModel);

    const after = await ask(`{ productionModel { id } pipelineHealth { status lastRun { id } } }`);
    expect(after.body.data).toEqual({
      productionModel: { id: run.producedModel!.id },
      pipelineHealth: { status: "HEALTHY", lastRun: { id: rerun.id } },
    });
    const stillPriced = await ask(
      `query ($id: ID!) { card(id: $id) { fairPrice { fairPrice signal model { id version createdAt metrics { mape } } } } }`,
      { id: cardId },
    );
    expect(stillPriced.body.data).toEqual({ card: { fairPrice: priced } });
  });
});
