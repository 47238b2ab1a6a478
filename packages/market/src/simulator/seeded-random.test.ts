import { describe, expect, it } from "vitest";
import { createSeededRandom, hashString } from "./seeded-random.js";

const draw = (seed: number, domain: number, index: number, n = 5) => {
  const rnd = createSeededRandom(seed, domain, index);
  return Array.from({ length: n }, () => rnd.uniform());
};

function moments(values: number[]) {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  const kurtosis = values.reduce((sum, v) => sum + (v - mean) ** 4, 0) / values.length / variance ** 2;
  return { mean, variance, kurtosis };
}

describe("createSeededRandom", () => {
  it("is a function of (seed, domain, index) only", () => {
    expect(draw(7, 1, 3)).toEqual(draw(7, 1, 3));
    expect(draw(7, 1, 3)).not.toEqual(draw(8, 1, 3));
    expect(draw(7, 1, 3)).not.toEqual(draw(7, 2, 3));
    expect(draw(7, 1, 3)).not.toEqual(draw(7, 1, 4));
  });

  it("tells apart seeds beyond 32 bits and negative seeds", () => {
    expect(draw(2 ** 40, 1, 0)).not.toEqual(draw(0, 1, 0));
    expect(draw(-1, 1, 0)).not.toEqual(draw(1, 1, 0));
  });

  it("gives neighbouring cards uncorrelated streams", () => {
    const firsts = Array.from({ length: 4000 }, (_, i) => draw(1, 1, i, 1)[0]!);
    const { mean } = moments(firsts);
    let lagged = 0;
    for (let i = 1; i < firsts.length; i++) lagged += (firsts[i]! - 0.5) * (firsts[i - 1]! - 0.5);
    expect(mean).toBeCloseTo(0.5, 1);
    expect(Math.abs(lagged / (firsts.length - 1) / (1 / 12))).toBeLessThan(0.06);
  });

  it("draws uniforms strictly inside (0, 1)", () => {
    const values = draw(3, 1, 0, 20_000);
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it("draws standard normals, heavy-tailed unit-variance t(4) and Poisson counts", () => {
    const rnd = createSeededRandom(11, 1, 0);
    const normal = moments(Array.from({ length: 40_000 }, () => rnd.normal()));
    expect(normal.mean).toBeCloseTo(0, 1);
    expect(normal.variance).toBeCloseTo(1, 1);
    expect(normal.kurtosis).toBeGreaterThan(2.8);
    expect(normal.kurtosis).toBeLessThan(3.2);

    const t = Array.from({ length: 40_000 }, () => rnd.studentT4());
    const median = [...t].map(Math.abs).sort((a, b) => a - b)[20_000]!;
    // t(4)/√2 has median |x| ≈ 0.524 (a unit normal's is 0.674): narrower body, far longer tails.
    expect(median).toBeGreaterThan(0.5);
    expect(median).toBeLessThan(0.55);
    expect(moments(t).variance).toBeCloseTo(1, 0);
    expect(moments(t).kurtosis).toBeGreaterThan(5);

    const counts = Array.from({ length: 20_000 }, () => rnd.poisson(1.5));
    const poisson = moments(counts);
    expect(poisson.mean).toBeCloseTo(1.5, 1);
    expect(poisson.variance).toBeCloseTo(1.5, 0);
    expect(counts.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
  });

  it("hashes set ids to distinct keys", () => {
    expect(hashString("sv8")).not.toBe(hashString("sv8pt5"));
    expect(hashString("me1")).toBe(hashString("me1"));
  });
});
