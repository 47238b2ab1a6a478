import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase, parseEnv } from "@pokewatch/kit";
import { createCatalog, loadBundledCatalog, simulatedCatalogData } from "@pokewatch/market";
import { startStack, stackEnvSchema, type RunningStack, type StartStackOptions } from "@pokewatch/stack";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_KEY, postGraphQL } from "./stack-fixture.js";

/** The first 20 catalog cards with 5 trees: the whole bootstrap in seconds. */
const catalog = createCatalog(simulatedCatalogData(20, loadBundledCatalog()));
const CARD = catalog.cards()[0]!.id;
const QUERY = `{
  fairPrices(requests: [{ cardId: "${CARD}" }]) {
    card { id }
    fairPrice marketPrice low high signal
    model { id version stage }
  }
}`;
interface Answer {
  fairPrices: {
    card: { id: string };
    fairPrice: number;
    marketPrice: number;
    low: number;
    high: number;
    signal: string;
    model: { id: string; version: number; stage: string };
  }[];
}

/** `pnpm start` as it runs on a first machine (PGlite in `dataDir`), training on start. */
function start(dataDir: string, pipeline: StartStackOptions["pipeline"] = { trees: 5 }) {
  const env = parseEnv(stackEnvSchema, {
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    GATEWAY_PORT: "0",
    PRICING_PORT: "0",
    KEYS_PORT: "0",
    PIPELINE_PORT: "0",
    DATA_DIR: dataDir,
    POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY,
    PIPELINE_TRAIN_ON_START: "true",
  });
  return startStack({ env, catalog, pipeline });
}

/** The runs in the stopped stack's embedded database. */
async function runsIn(dataDir: string) {
  const db = await createDatabase({ dataDir });
  try {
    return await db.query<{ id: string; status: string; promoted: boolean }>(
      "SELECT id, status, promoted FROM pipeline_runs ORDER BY created_at",
    );
  } finally {
    await db.close();
  }
}

let dataDir: string;
let stack: RunningStack | undefined;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "pokewatch-first-model-"));
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("pnpm start on an empty registry (PIPELINE_TRAIN_ON_START)", () => {
  it("trains and promotes a first model before serving, so fair prices answer at once", async () => {
    stack = await start(dataDir);
    const { status, body } = await postGraphQL(stack.gatewayUrl, QUERY);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const [price] = (body.data as unknown as Answer).fairPrices;
    expect(price).toMatchObject({ card: { id: CARD }, model: { version: 1, stage: "PRODUCTION" } });
    expect(price!.model.id).toMatch(/^mv_/);
    expect(price!.fairPrice).toBeGreaterThan(0);
    expect(price!.low).toBeLessThanOrEqual(price!.fairPrice);
    expect(price!.high).toBeGreaterThanOrEqual(price!.fairPrice);
    await stack.close();
    stack = undefined;
    expect(await runsIn(dataDir)).toEqual([
      { id: expect.stringMatching(/^run_/), status: "SUCCEEDED", promoted: true },
    ]);
  });

  it("finds the model present on the next start and does not train again", async () => {
    stack = await start(dataDir);
    const { body } = await postGraphQL(stack.gatewayUrl, QUERY);
    expect((body.data as unknown as Answer).fairPrices[0]?.model.version).toBe(1);
    await stack.close();
    stack = undefined;
    expect(await runsIn(dataDir)).toHaveLength(1);
  });

  it("still starts when the first run fails, answering MODEL_UNAVAILABLE", async () => {
    const empty = mkdtempSync(join(tmpdir(), "pokewatch-first-model-"));
    try {
      // No prices and no simulation: collect stores none, ingest fails, so does the run.
      stack = await start(empty, { simulateIfEmpty: false });
      const { status, body } = await postGraphQL(stack.gatewayUrl, QUERY);
      expect(status).toBe(200);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(["MODEL_UNAVAILABLE"]);
      await stack.close();
      stack = undefined;
      expect(await runsIn(empty)).toEqual([{ id: expect.stringMatching(/^run_/), status: "FAILED", promoted: false }]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
