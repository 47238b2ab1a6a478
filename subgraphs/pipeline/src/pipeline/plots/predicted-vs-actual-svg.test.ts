import { describe, expect, it } from "vitest";
import { predictedVsActualSvg } from "./predicted-vs-actual-svg.js";
import { xmlProblems } from "../testing/xml-problems.js";

/** Prices over three decades with a ±20 % error, no randomness. */
const points = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const actual = 0.5 * 10 ** ((i % 97) / 32);
    return { actual, predicted: actual * (1 + 0.2 * Math.sin(i)) };
  });

describe("predictedVsActualSvg", () => {
  it("is a well-formed standalone SVG with the y = x line, ticks, axis labels and a title", () => {
    const svg = predictedVsActualSvg(points(500));
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    expect(svg).toContain("<title>Predicted vs actual fair price</title>");
    expect(svg).toContain(">y = x</text>");
    expect(svg).toContain("actual price (7-day forward median, log scale)");
    expect(svg).toContain("predicted fair price (log scale)");
    for (const tick of [">1<", ">10<", ">100<"]) expect(svg).toContain(tick);
    expect(svg.match(/<circle /g)).toHaveLength(500);
    expect(svg).toContain("n = 500");
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("draws at most maxPoints, the same ones every time", () => {
    const many = points(10_000);
    const svg = predictedVsActualSvg(many);
    expect(svg.match(/<circle /g)).toHaveLength(2000);
    expect(svg).toContain("n = 10,000 (2,000 drawn)");
    expect(predictedVsActualSvg(many)).toBe(svg);
    expect(predictedVsActualSvg(many, { maxPoints: 10 }).match(/<circle /g)).toHaveLength(10);
  });

  it("leaves out what a log axis cannot show, and says so", () => {
    const svg = predictedVsActualSvg([...points(3), { predicted: 0, actual: 5 }, { predicted: NaN, actual: 1 }]);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain("2 without a positive price left out");
  });

  it("keeps a sensible scale when every price is the same", () => {
    const svg = predictedVsActualSvg([{ predicted: 12, actual: 12 }]);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg.match(/<text [^>]*text-anchor="end">[\d.]+</g)!.length).toBeGreaterThanOrEqual(2);
  });

  it("says no data when there is nothing to draw", () => {
    for (const input of [[], [{ predicted: -1, actual: 2 }]]) {
      const svg = predictedVsActualSvg(input);
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).toContain(">no data</text>");
      expect(svg).not.toContain("<circle");
    }
  });

  it("escapes the title", () => {
    const svg = predictedVsActualSvg(points(5), { title: `<script>alert("x")</script> & 'co'` });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;co&apos;");
    expect(xmlProblems(predictedVsActualSvg([], { title: "a < b & c" }))).toEqual([]);
  });

  it("refuses a maxPoints that is not a whole number of at least 1", () => {
    expect(() => predictedVsActualSvg(points(5), { maxPoints: 0 })).toThrow(
      "maxPoints must be a whole number of at least 1, got 0",
    );
    expect(() => predictedVsActualSvg(points(5), { maxPoints: 2.5 })).toThrow(RangeError);
  });
});
