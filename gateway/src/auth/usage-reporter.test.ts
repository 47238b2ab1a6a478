import { MAX_USAGES_PER_BATCH, type ApiKeyUsage } from "@pokewatch/kit";
import { capturingLogger } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { createUsageReporter } from "./usage-reporter.js";

function fixture() {
  const batches: ApiKeyUsage[][] = [];
  const client = {
    failing: false,
    recordUsage(used: ApiKeyUsage[]) {
      if (client.failing) return Promise.reject(new Error("keys service down"));
      batches.push(used);
      return Promise.resolve();
    },
  };
  let now = Date.parse("2026-01-01T00:00:00Z");
  const { logger, lines } = capturingLogger();
  const reporter = createUsageReporter({ client, logger, flushIntervalMs: 0, now: () => (now += 1000) });
  return { batches, client, reporter, lines };
}

describe("createUsageReporter", () => {
  it("sends the latest use of each key, many requests in one batch", async () => {
    const { batches, reporter } = fixture();
    for (let i = 0; i < 50; i += 1) reporter.record(i % 2 === 0 ? "key_a" : "key_b");
    await reporter.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      { keyId: "key_a", at: "2026-01-01T00:00:49.000Z" },
      { keyId: "key_b", at: "2026-01-01T00:00:50.000Z" },
    ]);
    await reporter.flush();
    expect(batches).toHaveLength(1);
  });

  it("keeps a failed batch for the next flush, logging the failure", async () => {
    const { batches, client, reporter, lines } = fixture();
    reporter.record("key_a");
    client.failing = true;
    await reporter.flush();
    expect(lines().join("\n")).toMatch(/could not report key usage/);
    client.failing = false;
    reporter.record("key_b");
    await reporter.flush();
    expect(batches).toEqual([
      [
        { keyId: "key_a", at: "2026-01-01T00:00:01.000Z" },
        { keyId: "key_b", at: "2026-01-01T00:00:02.000Z" },
      ],
    ]);
  });

  it("sends more keys than one request may carry in several, each within the keys service's bound", async () => {
    const { batches, reporter } = fixture();
    for (let i = 0; i < MAX_USAGES_PER_BATCH + 5; i += 1) reporter.record(`key_${i}`);
    await reporter.flush();
    expect(batches.map((batch) => batch.length)).toEqual([MAX_USAGES_PER_BATCH, 5]);
  });

  it("flushes what is left on close", async () => {
    const { batches, reporter } = fixture();
    reporter.record("key_a");
    await reporter.close();
    expect(batches).toHaveLength(1);
  });
});
