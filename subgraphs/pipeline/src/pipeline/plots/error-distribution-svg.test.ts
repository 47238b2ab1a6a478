import { describe, expect, it } from "vitest";
import { errorDistributionSvg } from "./error-distribution-svg.js";
import { xmlProblems } from "../testing/xml-problems.js";

const REGULAR_BAR = 'fill="#2563eb"';
const OVERFLOW_BAR = 'fill="#f59e0b"';
const barCounts = (svg: string, fill: string) =>
  [...svg.matchAll(new RegExp(`<rect [^>]*${fill}><title>(\\d+)</title>`, "g"))].map((m) => Number(m[1]));

describe("errorDistributionSvg", () => {
  it("is a well-formed standalone SVG: bars, axis, title, median and ± MAPE marked", () => {
    const svg = errorDistributionSvg([-10, 0, 10, 20]);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    expect(svg).toContain("<title>Error distribution on the hold-out</title>");
    expect(svg).toContain("n = 4 · median +5.0 % (red) · MAPE 10.0 % (green, ±)");
    expect(svg.match(/stroke="#dc2626"/g)).toHaveLength(1);
    expect(svg.match(/stroke="#059669"/g)).toHaveLength(2);
    expect(barCounts(svg, REGULAR_BAR)).toEqual([1, 1, 1, 1]);
    for (const tick of [">-100 %<", ">0 %<", ">+100 %<", ">&lt; -100<", ">&gt; +100<"]) expect(svg).toContain(tick);
  });

  it("clips to ±100 % into overflow bars and keeps every error counted", () => {
    const svg = errorDistributionSvg([-250, -100, 0, 0.5, 100, 100.01, 400, Infinity]);
    expect(xmlProblems(svg)).toEqual([]);
    expect(barCounts(svg, OVERFLOW_BAR)).toEqual([1, 3]);
    // -100 opens the first bin and +100 closes the last; 0 and 0.5 share the bin [0, 5).
    expect(barCounts(svg, REGULAR_BAR)).toEqual([1, 2, 1]);
    expect(svg).toContain("n = 8");
  });

  it("bins by the given width", () => {
    const svg = errorDistributionSvg([1, 2, 3, 11], { binWidth: 10 });
    expect(barCounts(svg, REGULAR_BAR)).toEqual([3, 1]);
  });

  it("is the same for the same errors", () => {
    const errors = Array.from({ length: 5000 }, (_, i) => 40 * Math.sin(i * 1.7) + (i % 13));
    expect(errorDistributionSvg(errors)).toBe(errorDistributionSvg(errors));
    expect(xmlProblems(errorDistributionSvg(errors))).toEqual([]);
  });

  it("says no data when there are no errors", () => {
    for (const errors of [[], [NaN]]) {
      const svg = errorDistributionSvg(errors);
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).toContain(">no data</text>");
      expect(svg).not.toContain(REGULAR_BAR);
    }
  });

  it("escapes the title", () => {
    const svg = errorDistributionSvg([1], { title: `"A" < 'B' & C` });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("<title>&quot;A&quot; &lt; &apos;B&apos; &amp; C</title>");
  });

  it("refuses a bin width that does not divide 100", () => {
    expect(() => errorDistributionSvg([1], { binWidth: 7 })).toThrow(
      "binWidth must be a whole number of percentage points that divides 100, got 7",
    );
    expect(() => errorDistributionSvg([1], { binWidth: 0 })).toThrow(RangeError);
  });
});
