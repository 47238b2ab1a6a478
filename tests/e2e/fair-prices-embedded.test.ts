import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, type Database } from "@pokewatch/kit";
import { createPriceStore } from "@pokewatch/market";
import { createModelRegistry } from "@pokewatch/model";
import { fixedRatioModelVersion, syntheticSeries } from "@pokewatch/model/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack } from "./stack-fixture.js";

let db: Database;
let dataDir: string;
let stack: RunningStack;
beforeAll(async () => {
  db = await createPgliteDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "pokewatch-e2e-"));
  stack = await startTestStack({ DATA_DIR: dataDir, MODEL_POLL_SECONDS: "1" }, db);
  const [series] = syntheticSeries(1, 60, 5, "2025-01-01");
  await createPriceStore(db).upsert(series!.points.map((p) => ({ ...p, cardId: "sv3pt5-6" })));
});
afterAll(async () => {
  await stack?.close();
  await db?.close();
});

const QUERY = `{ card(id: "sv3pt5-6") { fairPrice(date: "2025-02-20") { fairPrice marketPrice cached model { id } } } }`;
type Answer = {
  card: { fairPrice: { fairPrice: number; marketPrice: number; cached: boolean; model: { id: string } } | null };
};

describe("fair prices on embedded defaults (PGlite, in-process cache, registry polling)", () => {
  it("answers MODEL_UNAVAILABLE until a model is promoted, then picks it up by polling", async () => {
    const empty = await postGraphQL(stack.gatewayUrl, QUERY);
    expect(empty.status).toBe(200);
    expect(empty.body.errors?.[0]?.extensions?.code).toBe("MODEL_UNAVAILABLE");

    const registry = createModelRegistry({ db });
    const model = await registry.register(fixedRatioModelVersion(Math.log(1.25)), { stage: "PRODUCTION" });
    await expect
      .poll(
        async () =>
          ((await postGraphQL(stack.gatewayUrl, QUERY)).body.data as Answer | undefined)?.card.fairPrice?.model.id,
        {
          timeout: 10_000,
          interval: 200,
        },
      )
      .toBe(model.id);

    const { body } = await postGraphQL(stack.gatewayUrl, QUERY);
    const price = (body.data as unknown as Answer).card.fairPrice!;
    expect(price.cached).toBe(true);
    expect(price.fairPrice).toBeCloseTo(price.marketPrice * 1.25, 3);
  });
});
