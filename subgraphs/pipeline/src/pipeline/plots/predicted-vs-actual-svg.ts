export interface PredictedVsActualOptions {
  /** @default "Predicted vs actual fair price" */
  title?: string;
  /** Points drawn at most; more are sampled at even strides, so the same input draws the same plot. @default 2000 */
  maxPoints?: number;
}

const WIDTH = 640;
const HEIGHT = 540;
const MARGIN = { left: 72, right: 24, top: 56, bottom: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/**
 * A scatter of predicted against actual price on log-log axes that share one scale, so the y = x
 * line is the diagonal: points above it were over-estimated. A standalone SVG document.
 */
export function predictedVsActualSvg(
  points: readonly { predicted: number; actual: number }[],
  options: PredictedVsActualOptions = {},
): string {
  const { title = "Predicted vs actual fair price", maxPoints = 2000 } = options;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(`maxPoints must be a whole number of at least 1, got ${maxPoints}`);
  }
  // A log axis has no place for zero, negative or non-finite prices.
  const usable = points.filter((p) => isPositive(p.predicted) && isPositive(p.actual));
  if (usable.length === 0) return noDataSvg(title);
  const drawn = evenSample(usable, maxPoints);

  let lo = Infinity;
  let hi = -Infinity;
  for (const p of usable) {
    lo = Math.min(lo, p.predicted, p.actual);
    hi = Math.max(hi, p.predicted, p.actual);
  }
  let logLo = Math.log10(lo);
  let logHi = Math.log10(hi);
  if (logHi - logLo < 0.2) {
    const middle = (logLo + logHi) / 2;
    [logLo, logHi] = [middle - 0.1, middle + 0.1];
  }
  const pad = (logHi - logLo) * 0.03;
  [logLo, logHi] = [logLo - pad, logHi + pad];
  const x = (value: number) => MARGIN.left + ((Math.log10(value) - logLo) / (logHi - logLo)) * PLOT_W;
  const y = (value: number) => MARGIN.top + PLOT_H - ((Math.log10(value) - logLo) / (logHi - logLo)) * PLOT_H;
  const ticks = logTicks(logLo, logHi);

  const left = MARGIN.left;
  const bottom = MARGIN.top + PLOT_H;
  const parts: string[] = [
    `<rect x="${left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="#ffffff" stroke="#9ca3af"/>`,
    `<g stroke="#e5e7eb" stroke-width="1">`,
    ...ticks.map((t) => `<line x1="${fixed(x(t))}" y1="${MARGIN.top}" x2="${fixed(x(t))}" y2="${bottom}"/>`),
    ...ticks.map((t) => `<line x1="${left}" y1="${fixed(y(t))}" x2="${left + PLOT_W}" y2="${fixed(y(t))}"/>`),
    `</g>`,
    `<g font-family="sans-serif" font-size="11" fill="#374151">`,
    ...ticks.map(
      (t) => `<text x="${fixed(x(t))}" y="${bottom + 16}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    ),
    ...ticks.map(
      (t) => `<text x="${left - 6}" y="${fixed(y(t) + 4)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    ),
    `</g>`,
    `<g fill="#2563eb" fill-opacity="0.35">`,
    ...drawn.map((p) => `<circle cx="${fixed(x(p.actual))}" cy="${fixed(y(p.predicted))}" r="2"/>`),
    `</g>`,
    // Both axes share the domain, so y = x runs corner to corner.
    `<line x1="${left}" y1="${bottom}" x2="${left + PLOT_W}" y2="${MARGIN.top}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${left + PLOT_W - 6}" y="${MARGIN.top + 16}" text-anchor="end" font-family="sans-serif" font-size="11" fill="#dc2626">y = x</text>`,
    `<text x="${left + PLOT_W / 2}" y="${HEIGHT - 12}" text-anchor="middle" font-family="sans-serif" font-size="12">actual price (7-day forward median, log scale)</text>`,
    `<text transform="translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" font-family="sans-serif" font-size="12">predicted fair price (log scale)</text>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="40" text-anchor="middle" font-family="sans-serif" font-size="11" fill="#6b7280">${escapeXml(subtitle(points.length, usable.length, drawn.length))}</text>`,
  ];
  return svgDocument(title, parts);
}

function subtitle(given: number, usable: number, drawn: number): string {
  let text = `n = ${count(usable)}`;
  if (drawn < usable) text += ` (${count(drawn)} drawn)`;
  if (usable < given) text += `; ${count(given - usable)} without a positive price left out`;
  return text;
}

/** Every `stride`-th point, starting at 0: no randomness, so equal inputs give equal plots. */
function evenSample<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/** Powers of ten in range; with fewer than three, the 1-2-5 steps; failing that, the two ends. */
function logTicks(logLo: number, logHi: number): number[] {
  const inRange = (v: number) => Math.log10(v) >= logLo - 1e-9 && Math.log10(v) <= logHi + 1e-9;
  const decades: number[] = [];
  for (let e = Math.floor(logLo); e <= Math.ceil(logHi); e++) decades.push(e);
  const powers = decades.map((e) => 10 ** e).filter(inRange);
  if (powers.length >= 3) return powers;
  const steps = decades.flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e)).filter(inRange);
  if (steps.length >= 2) return steps;
  return [10 ** logLo, 10 ** logHi].map((v) => Number(v.toPrecision(2)));
}

function formatTick(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

const isPositive = (value: number) => Number.isFinite(value) && value > 0;
const fixed = (value: number) => value.toFixed(1);
const count = (n: number) => n.toLocaleString("en-US");

/** Text and attribute values are escaped, so a title may hold anything. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

/** A standalone SVG document (it declares its namespace) titled for screen readers. */
export function svgDocument(title: string, body: readonly string[], width = WIDTH, height = HEIGHT): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}

/** What a plot with nothing to draw shows instead. */
export function noDataSvg(title: string, width = WIDTH, height = HEIGHT): string {
  return svgDocument(
    title,
    [
      `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
      `<text x="${width / 2}" y="28" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#6b7280">no data</text>`,
    ],
    width,
    height,
  );
}
