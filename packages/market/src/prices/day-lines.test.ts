import { describe, expect, it } from "vitest";
import { DayLines, dayOfEpoch } from "./day-lines.js";

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

describe("dayOfEpoch", () => {
  it("counts days from 1970-01-01 like Date.UTC", () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [1969, 12, 31],
      [2000, 2, 29],
      [2000, 3, 1],
      [2025, 6, 1],
      [1900, 3, 1],
      [2400, 12, 31],
    ] as const) {
      expect(dayOfEpoch(y, m, d)).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
    }
  });

  it("keeps years before 100 apart from the 1900s", () => {
    const year25 = new Date(0);
    year25.setUTCFullYear(25, 0, 1);
    expect(dayOfEpoch(25, 1, 1)).toBe(year25.getTime() / 86_400_000);
    expect(dayOfEpoch(1925, 1, 1) - dayOfEpoch(25, 1, 1)).toBe(1900 * 365 + 460);
  });
});
