import { formatIsoDay, parseIsoDay, type PricePoint, type PriceSeries } from "@pokewatch/market";
import { describe, expect, it } from "vitest";
import { ingestOutputHash, type IngestOutput } from "./ingest-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, type PipelineOptions, type StepContext } from "./step.js";
import { SHORT_HISTORY_DAYS, validatePrices, validateStep } from "./validate-step.js";

const START = parseIsoDay("2026-09-01")!;

/** `days` consecutive daily prices from 2026-09-01, with every field valid. */
function cleanSeries(cardId: string, days: number): PriceSeries {
  const points = Array.from({ length: days }, (_, i) => point(cardId, formatIsoDay(START + i), 10 + (i % 5)));
  return { cardId, points };
}

function point(cardId: string, date: string, market: number, rest: Partial<PricePoint> = {}): PricePoint {
  return { cardId, date, market, low: market - 1, high: market + 1, volume: 2, source: "tcgplayer", ...rest };
}

/** Replaces the points at `indexes` of the series with `change` applied. */
function withChanges(series: PriceSeries, indexes: number[], change: Partial<PricePoint>): PriceSeries {
  const points = series.points.map((p, i) => (indexes.includes(i) ? { ...p, ...change } : p));
  return { ...series, points };
}

function ingested(series: PriceSeries[]): IngestOutput {
  return { series, sources: ["tcgplayer"], dataHash: "hash-of-the-series", simulated: false };
}

// Validate reads nothing but the thresholds from its context.
const contextWith = (options: Partial<PipelineOptions> = {}) =>
  ({ options: { ...DEFAULT_PIPELINE_OPTIONS, ...options } }) as StepContext;

async function failureOf(series: PriceSeries[], options: Partial<PipelineOptions> = {}): Promise<string> {
  const error = await validateStep.run(contextWith(options), ingested(series)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StepFailure);
  return (error as StepFailure).message;
}

const clean = () => Array.from({ length: 10 }, (_, i) => cleanSeries(`sv1-${i + 1}`, 60));

describe("validate step: a clean set", () => {
  it("passes, hands the series on unchanged and reports no problems", async () => {
    const input = ingested(clean());
    const { output, outputHash, message } = await validateStep.run(contextWith(), input);
    expect(output).toEqual({
      ...input,
      report: { cards: 10, points: 600, invalidShare: 0, gapShare: 0, nonPositive: 0, problems: [] },
    });
    expect(output.series).toBe(input.series);
    expect(message).toBe("10 cards, 600 prices: 0.0 % invalid, 0.0 % days missing");
    expect(outputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(outputHash).not.toBe(ingestOutputHash(input));
  });

  it("counts cards with short histories without failing", async () => {
    const series = [...clean(), cleanSeries("sv2-1", 12), cleanSeries("sv2-2", SHORT_HISTORY_DAYS)];
    const { output, message } = await validateStep.run(contextWith(), ingested(series));
    expect(output.report.problems).toEqual(["1 cards with fewer than 30 days of prices (e.g. sv2-1: 12 days)"]);
    expect(message).toBe("12 cards, 642 prices: 0.0 % invalid, 0.0 % days missing; 1 cards under 30 days");
  });

  it("fails when there are no prices at all", async () => {
    expect(await failureOf([{ cardId: "sv1-1", points: [] }])).toBe("no prices to validate");
  });

  it("survives serialize and deserialize unchanged", async () => {
    const series = [withChanges(cleanSeries("sv1-1", 40), [3], { low: Number.NaN })];
    const { output } = await validateStep.run(contextWith(), ingested(series));
    expect(validateStep.deserialize!(validateStep.serialize!(output))).toEqual(output);
  });
});

describe("validate cache input", () => {
  it("changes with each threshold, and only with them", async () => {
    const key = await validateStep.cacheInput!(contextWith());
    expect(await validateStep.cacheInput!(contextWith())).toBe(key);
    expect(await validateStep.cacheInput!(contextWith({ maxInvalidShare: 0.01 }))).not.toBe(key);
    expect(await validateStep.cacheInput!(contextWith({ maxGapShare: 0.1 }))).not.toBe(key);
    expect(await validateStep.cacheInput!(contextWith({ trees: 9, simulateSeed: 2 }))).toBe(key);
  });
});

describe("validate step: non-positive prices", () => {
  it("fails on any, naming up to three examples", async () => {
    const series = clean();
    series[2] = withChanges(series[2]!, [1, 2, 3, 4], { market: 0 });
    series[5] = withChanges(series[5]!, [0], { market: Number.NaN, low: null, high: null });
    expect(await failureOf(series)).toBe(
      "5 non-positive prices (e.g. sv1-3 on 2026-09-02: 0, sv1-3 on 2026-09-03: 0, sv1-3 on 2026-09-04: 0) " +
        "— prices must be > 0",
    );
  });

  it("fails on a single one whatever the thresholds", async () => {
    const series = [withChanges(cleanSeries("sv3pt5-6", 60), [31], { market: -2, low: null, high: null })];
    expect(await failureOf(series, { maxInvalidShare: 1, maxGapShare: 1 })).toBe(
      "1 non-positive prices (e.g. sv3pt5-6 on 2026-10-02: -2) — prices must be > 0",
    );
  });
});

describe("validate step: invalid points", () => {
  // 10 cards × 60 days = 600 points; 36 invalid = 6.0 %.
  const withInvalid = () => {
    const series = clean();
    series[0] = withChanges(series[0]!, [5], { low: 20, high: 3 });
    series[1] = withChanges(series[1]!, [6], { volume: -1 });
    series[2] = withChanges(series[2]!, [7], { high: Number.POSITIVE_INFINITY });
    series[3] = withChanges(series[3]!, [8], { date: "2026-9-9" });
    series[4] = withChanges(series[4]!, [9], { date: "2026-09-01" });
    series[5] = withChanges(
      series[5]!,
      Array.from({ length: 31 }, (_, i) => i),
      { low: Number.NaN },
    );
    return series;
  };

  it("fails above maxInvalidShare, saying how many, of what, and why", async () => {
    expect(await failureOf(withInvalid())).toBe(
      "6.0 % of prices invalid (36 of 600; e.g. sv1-1 on 2026-09-06: low 20 > high 3, " +
        "sv1-2 on 2026-09-07: volume -1, sv1-3 on 2026-09-08: high Infinity) — at most 5.0 % allowed (maxInvalidShare)",
    );
  });

  it("names bad and out-of-order dates", () => {
    const series = withInvalid().slice(3, 5);
    const { report } = validatePrices(series, { maxInvalidShare: 1, maxGapShare: 1 });
    expect(report.problems[0]).toBe(
      '1.7 % of prices invalid (2 of 120; e.g. sv1-4 on 2026-9-9: date "2026-9-9" is not a YYYY-MM-DD day, ' +
        "sv1-5 on 2026-09-01: date not after the card's previous price)",
    );
  });

  it("passes at or below the threshold, and reports what it found", async () => {
    const { output, message } = await validateStep.run(contextWith({ maxInvalidShare: 0.06 }), ingested(withInvalid()));
    expect(output.report.invalidShare).toBeCloseTo(0.06);
    expect(output.report.problems[0]).toMatch(/^6\.0 % of prices invalid \(36 of 600; e\.g\. /);
    expect(message).toMatch(/^10 cards, 600 prices: 6\.0 % invalid, /);
  });
});

describe("validate step: gaps", () => {
  // Every other day missing on 4 of 10 cards (30 of 60 days kept): 116 of 596 days (19.5 %) missing.
  const withGaps = () =>
    clean().map((s, i) => (i < 4 ? { ...s, points: s.points.filter((_, day) => day % 2 === 0) } : s));

  it("fails above maxGapShare, with the cards missing the most", async () => {
    expect(await failureOf(withGaps(), { maxGapShare: 0.15 })).toBe(
      "19.5 % of days missing between each card's first and last price (116 of 596; e.g. " +
        "sv1-1: 29 of 59 days missing, sv1-2: 29 of 59 days missing, sv1-3: 29 of 59 days missing) " +
        "— at most 15.0 % allowed (maxGapShare)",
    );
  });

  it("passes under the default threshold", async () => {
    const { output, message } = await validateStep.run(contextWith(), ingested(withGaps()));
    expect(output.report.gapShare).toBeCloseTo(116 / 596);
    expect(message).toBe("10 cards, 480 prices: 0.0 % invalid, 19.5 % days missing");
  });

  it("reports every failing check in one message", async () => {
    const series = withGaps();
    series[9] = withChanges(series[9]!, [0], { market: 0 });
    const message = await failureOf(series, { maxGapShare: 0.1 });
    expect(message.split("; e.g.")).toHaveLength(2);
    expect(message).toMatch(
      /^1 non-positive prices .* — prices must be > 0; 19\.5 % of days missing .* \(maxGapShare\)$/,
    );
  });
});
