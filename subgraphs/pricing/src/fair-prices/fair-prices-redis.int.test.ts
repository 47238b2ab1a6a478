import { startTcpProxy, TEST_REDIS_URL, type TcpProxy } from "@pokewatch/kit/testing";
import { fixedRatioModelVersion } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedQuery, startPricingTestApp, type PricingTestApp } from "../testing/pricing-test-app.js";

let proxy: TcpProxy;
let t: PricingTestApp;
beforeAll(async () => {
  proxy = await startTcpProxy(TEST_REDIS_URL);
  t = await startPricingTestApp({ model: fixedRatioModelVersion(Math.log(1.25)), redisUrl: proxy.url });
});
afterAll(async () => {
  await t?.close();
  await proxy?.dispose();
});

type Answer = { card: { fairPrice: { fairPrice: number; cached: boolean } } };
const ask = (date: string) =>
  signedQuery<Answer>(t.app, `{ card(id: "sv3pt5-6") { fairPrice(date: "${date}") { fairPrice cached } } }`);

async function cacheErrors(): Promise<number> {
  const { values } = await t.metrics.cacheErrors.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe("fair prices while Redis comes and goes", () => {
  it("caches in Redis", async () => {
    expect((await ask("2025-02-01")).body.data!.card.fairPrice.cached).toBe(false);
    expect((await ask("2025-02-01")).body.data!.card.fairPrice.cached).toBe(true);
  });

  it("serves uncached with Redis down: HTTP 200, same prices, errors counted", async () => {
    const warm = (await ask("2025-02-01")).body.data!.card.fairPrice;
    await proxy.close();
    const before = await cacheErrors();
    for (let i = 0; i < 2; i++) {
      const { status, body } = await ask("2025-02-01");
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data!.card.fairPrice).toEqual({ fairPrice: warm.fairPrice, cached: false });
    }
    expect(await cacheErrors()).toBeGreaterThan(before);
  });

  it("uses Redis again once it is back, without a restart", async () => {
    await proxy.reopen();
    await expect
      .poll(
        async () => {
          await ask("2025-02-02");
          return (await ask("2025-02-02")).body.data!.card.fairPrice.cached;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
  });
});
