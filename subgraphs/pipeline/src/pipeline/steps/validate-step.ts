import { parseIsoDay, type PricePoint, type PriceSeries } from "@pokewatch/market";
import { sha256Hex } from "./content-hash.js";
import { decodeIngestOutput, encodeIngestOutput, ingestOutputHash, type IngestOutput } from "./ingest-step.js";
import { asBuffer, computeOptions, runInComputeWorker } from "../worker/compute-worker.js";
import { packedOnce } from "../worker/packed-series.js";
import { StepFailure, type PipelineOptions, type PipelineStep, type StepResult } from "./step.js";

/** What validate found in the prices; kept with the step's output. */
export interface ValidationReport {
  cards: number;
  points: number;
  /** Share of points with a bad low, high, volume or date (non-positive prices are counted apart). */
  invalidShare: number;
  /** Share of calendar days without a price between each card's first and last price, over all cards. */
  gapShare: number;
  /** Market prices that are not a number above 0. */
  nonPositive: number;
  /** One line per kind of problem found, whether or not it failed the run. */
  problems: string[];
}

export type ValidateOutput = IngestOutput & { report: ValidationReport };

/** Cards with a shorter history are reported, not rejected: they add few training rows. */
export const SHORT_HISTORY_DAYS = 30;
const EXAMPLES = 3;

/** The outcome of checking prices: the report, and the lines that fail the run (none = pass). */
export interface PriceValidation {
  report: ValidationReport;
  failures: string[];
  /** Cards with fewer than SHORT_HISTORY_DAYS days between their first and last price. */
  shortCards: number;
}

/**
 * Checks every point: market prices must be finite and > 0 (any other fails); low, high, volume
 * and dates (YYYY-MM-DD, increasing) may be wrong on at most `maxInvalidShare` of the points; at
 * most `maxGapShare` of the days between each card's first and last price may be missing.
 */
export function validatePrices(
  series: readonly PriceSeries[],
  { maxInvalidShare, maxGapShare }: Pick<PipelineOptions, "maxInvalidShare" | "maxGapShare">,
): PriceValidation {
  const nonPositive = new Examples();
  const invalid = new Examples();
  const short = new Examples();
  const gappy: { cardId: string; missing: number; span: number }[] = [];
  let [points, missingDays, spanDays] = [0, 0, 0];
  for (const { cardId, points: cardPoints } of series) {
    let [first, last, observed] = [Number.NaN, Number.NEGATIVE_INFINITY, 0];
    for (const point of cardPoints) {
      points++;
      if (!(Number.isFinite(point.market) && point.market > 0)) {
        nonPositive.add(`${cardId} on ${point.date}: ${point.market}`);
      }
      const day = parseIsoDay(point.date);
      const problem = pointProblem(point, day, last);
      if (problem) invalid.add(`${cardId} on ${point.date}: ${problem}`);
      if (day !== null && day > last) {
        if (observed++ === 0) first = day;
        last = day;
      }
    }
    if (observed === 0) continue;
    const span = last - first + 1;
    spanDays += span;
    missingDays += span - observed;
    if (span > observed) gappy.push({ cardId, missing: span - observed, span });
    if (span < SHORT_HISTORY_DAYS) short.add(`${cardId}: ${span} days`);
  }

  const invalidShare = share(invalid.count, points);
  const gapShare = share(missingDays, spanDays);
  const problems: string[] = [];
  const failures: string[] = [];
  const found = (line: string, fails: boolean, rule: string) => {
    problems.push(line);
    if (fails) failures.push(`${line} — ${rule}`);
  };
  if (nonPositive.count > 0) {
    found(`${count(nonPositive.count)} non-positive prices${nonPositive.list()}`, true, "prices must be > 0");
  }
  if (invalid.count > 0) {
    found(
      `${percent(invalidShare)} of prices invalid (${count(invalid.count)} of ${count(points)}${invalid.list(";")})`,
      invalidShare > maxInvalidShare,
      `at most ${percent(maxInvalidShare)} allowed (maxInvalidShare)`,
    );
  }
  if (missingDays > 0) {
    gappy.sort((a, b) => b.missing / b.span - a.missing / a.span || a.cardId.localeCompare(b.cardId));
    const worst = gappy.slice(0, EXAMPLES).map((g) => `${g.cardId}: ${g.missing} of ${g.span} days missing`);
    found(
      `${percent(gapShare)} of days missing between each card's first and last price ` +
        `(${count(missingDays)} of ${count(spanDays)}; e.g. ${worst.join(", ")})`,
      gapShare > maxGapShare,
      `at most ${percent(maxGapShare)} allowed (maxGapShare)`,
    );
  }
  if (short.count > 0) {
    problems.push(`${count(short.count)} cards with fewer than ${SHORT_HISTORY_DAYS} days of prices${short.list()}`);
  }
  const report = { cards: series.length, points, invalidShare, gapShare, nonPositive: nonPositive.count, problems };
  return { report, failures, shortCards: short.count };
}

/** Step 2: fails the run on prices a model should not learn from; passes the series on unchanged. */
export const validateStep: PipelineStep<IngestOutput, ValidateOutput> = {
  name: "validate",
  cacheable: true,
  codeUrl: new URL(import.meta.url),
  /** The thresholds decide pass or fail: a stricter limit must not reuse a pass under a looser one. */
  cacheInput: ({ options: { maxInvalidShare, maxGapShare } }) =>
    Promise.resolve(JSON.stringify({ maxInvalidShare, maxGapShare })),

  // A quarter of a million prices checked and encoded: in a worker thread, not on the serving loop.
  async run(ctx, input) {
    const { series, ...rest } = input;
    const { validation, body } = await runInComputeWorker(
      "validate",
      { series: packedOnce(series), rest, options: ctx.options },
      computeOptions(ctx),
    );
    return { ...validated(input, validation), ...(body && { body: asBuffer(body) }) };
  },

  serialize: (output) => encodeIngestOutput(output),
  deserialize: (body) => decodeIngestOutput<ValidateOutput>(body),
};

function validated(input: IngestOutput, { report, failures, shortCards }: PriceValidation): StepResult<ValidateOutput> {
  if (report.points === 0) throw new StepFailure("no prices to validate");
  if (failures.length > 0) throw new StepFailure(failures.join("; "));
  const output: ValidateOutput = { ...input, report };
  const short = shortCards > 0 ? `; ${count(shortCards)} cards under ${SHORT_HISTORY_DAYS} days` : "";
  const message =
    `${count(report.cards)} cards, ${count(report.points)} prices: ${percent(report.invalidShare)} invalid, ` +
    `${percent(report.gapShare)} days missing${short}`;
  return {
    output,
    outputHash: sha256Hex(ingestOutputHash(input), JSON.stringify(report)),
    message,
  };
}

/** What is wrong with a point's low, high, volume or date, if anything. */
function pointProblem(point: PricePoint, day: number | null, previousDay: number): string | null {
  if (day === null) return `date ${JSON.stringify(point.date)} is not a YYYY-MM-DD day`;
  if (day <= previousDay) return "date not after the card's previous price";
  for (const [name, value] of [
    ["low", point.low],
    ["high", point.high],
  ] as const) {
    if (value !== null && !(Number.isFinite(value) && value > 0)) return `${name} ${value}`;
  }
  if (point.low !== null && point.high !== null && point.low > point.high)
    return `low ${point.low} > high ${point.high}`;
  if (point.volume !== null && !(Number.isFinite(point.volume) && point.volume >= 0)) return `volume ${point.volume}`;
  return null;
}

/** Counts occurrences and keeps the first few as examples. */
class Examples {
  count = 0;
  private readonly first: string[] = [];
  add(example: string): void {
    if (this.count++ < EXAMPLES) this.first.push(example);
  }
  /** ` (e.g. a, b, c)`, or after `separator` inside an existing parenthesis. */
  list(separator?: ";"): string {
    const examples = `e.g. ${this.first.join(", ")}`;
    return separator ? `${separator} ${examples}` : ` (${examples})`;
  }
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const count = (n: number) => n.toLocaleString("en-US");
/** One decimal, or two significant digits below 0.1 % so a small share over a small limit shows. */
const percent = (x: number) => `${x > 0 && x < 0.001 ? (x * 100).toPrecision(2) : (x * 100).toFixed(1)} %`;
