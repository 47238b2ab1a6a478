import { describe, expect, it } from "vitest";
import { createProgressThrottle } from "./progress-throttle.js";

describe("createProgressThrottle", () => {
  it("passes a stage's first and last tree count and one per interval between", () => {
    let time = 0;
    const shown = createProgressThrottle(1_000, () => time);
    const seen: string[] = [];
    for (let grown = 1; grown <= 100; grown++) {
      time = grown * 100;
      const message = `fit: ${grown}/100 trees`;
      if (shown(message)) seen.push(message);
    }
    expect(seen[0]).toBe("fit: 1/100 trees");
    expect(seen.at(-1)).toBe("fit: 100/100 trees");
    expect(seen).toContain("fit: 11/100 trees");
    expect(seen).not.toContain("fit: 12/100 trees");
    expect(seen).toHaveLength(11);
  });

  it("passes the first count of a new stage and every other message at once", () => {
    const time = 0;
    const shown = createProgressThrottle(1_000, () => time);
    expect(shown("calibrate: 25/50 trees")).toBe(true);
    expect(shown("calibrate: 30/50 trees")).toBe(false);
    expect(shown("fit: 25/80 trees")).toBe(true);
    expect(shown("exporting to ONNX and checking it against the trees")).toBe(true);
    expect(shown("simulating 20 cards × 120 days (seed 1)")).toBe(true);
    expect(shown("fit: 26/80 trees")).toBe(false);
  });

  it("rejects a negative or non-finite interval, naming the value", () => {
    expect(() => createProgressThrottle(-1)).toThrow("intervalMs must be a number of milliseconds ≥ 0, got -1");
    expect(() => createProgressThrottle(Number.NaN)).toThrow("got NaN");
  });
});
