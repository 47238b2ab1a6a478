import { createCatalog, createMarketSimulator, loadBundledCatalog, simulatedCatalogData } from "@pokewatch/market";
import { buildPriceDataset, catalogAttributes, trainFairPriceModel, type PriceDataset } from "@pokewatch/model";
import { longestStall } from "@pokewatch/kit/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { StepFailure } from "../steps/step.js";
import { runInComputeWorker } from "./compute-worker.js";

const limits = { timeoutMs: 60_000 };

describe("runInComputeWorker", () => {
  let dataset: PriceDataset;
  beforeAll(() => {
    const catalog = createCatalog(simulatedCatalogData(300, loadBundledCatalog()));
    const simulator = createMarketSimulator({ cards: 300, days: 120, seed: 5, endDate: "2026-11-27", catalog });
    const series = simulator.cards.map((card, i) => ({ cardId: card.id, points: simulator.simulateCardSeries(i) }));
    dataset = buildPriceDataset(series, catalogAttributes(catalog));
  });

  it("keeps the event loop free while training holds its thread for seconds", async () => {
    // The same training here holds this thread for its whole length; in the worker the loop stays free.
    const inline = await longestStall(() =>
      Promise.resolve().then(() => trainFairPriceModel(dataset, { sources: ["s"], refit: "all", trees: 30 })),
    );
    const inWorker = await longestStall(() =>
      runInComputeWorker("train", { dataset, sources: ["s"], trees: 30 }, { ...limits, progress: () => undefined }),
    );
    expect(inline).toBeGreaterThan(400);
    // Generous: the bound is far below what the inline run blocks, not a speed target.
    expect(inWorker).toBeLessThan(200);
  });

  it("reports the task's progress lines as they come", async () => {
    const lines: string[] = [];
    await runInComputeWorker(
      "train",
      { dataset, sources: ["s"], trees: 3 },
      { ...limits, progress: (m) => lines.push(m) },
    );
    expect(lines).toContain("fit: 3/3 trees");
    expect(lines.at(-1)).toBe("exporting to ONNX and checking it against the trees");
  });

  it("fails the step with a clear message when the worker thread dies", async () => {
    const error = await runInComputeWorker("exits", { code: 7 }, limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe("the exits worker thread exited (code 7) before it finished");
  });

  it("passes a task's unexpected error on as an error (masked by the runner), not a step failure", async () => {
    const error = await runInComputeWorker("throws", { message: "boom" }, limits).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe("throws worker: boom");
  });

  it("terminates the worker when the run is stopped, and says why", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = runInComputeWorker("spins", { ms: 20_000 }, { ...limits, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("the pipeline service is shutting down")), 100);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe("spins stopped: the pipeline service is shutting down");
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("bounds the wait: a task past its time limit is terminated", async () => {
    const error = await runInComputeWorker("spins", { ms: 20_000 }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe("spins took longer than 300 ms in its worker thread: stopped");
  });

  it("refuses a time limit that is not a positive number", () => {
    expect(() => runInComputeWorker("spins", { ms: 1 }, { timeoutMs: 0 })).toThrow(
      "timeoutMs must be a positive number of milliseconds, got 0",
    );
  });
});
