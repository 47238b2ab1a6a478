import { describe, expect, it } from "vitest";
import { DayLines } from "./day-lines.js";

describe("DayLines", () => {
  it("answers like a Map while it grows both ways, and after it turns sparse", () => {
    const lines = new DayLines();
    const expected = new Map<number, number>();
    // Forwards, then backwards past the start, then far enough apart to leave the dense array.
    const days = [
      ...Array.from({ length: 200 }, (_, i) => 20_000 + i),
      ...Array.from({ length: 300 }, (_, i) => 19_999 - i * 3),
      25_000,
      10_000,
      20_050,
    ];
    days.forEach((day, i) => {
      if (!expected.has(day)) {
        expected.set(day, i + 2);
        lines.set(day, i + 2);
      }
      for (const probe of [day, day - 1, day + 1, 20_000, 19_099, 0]) {
        expect(lines.get(probe)).toBe(expected.get(probe));
      }
    });
    for (const [day, line] of expected) expect(lines.get(day)).toBe(line);
  });

  it("knows nothing when empty", () => {
    expect(new DayLines().get(0)).toBeUndefined();
  });
});
