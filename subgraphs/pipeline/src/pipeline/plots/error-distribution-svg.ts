import { escapeXml, noDataSvg, svgDocument } from "./predicted-vs-actual-svg.js";

export interface ErrorDistributionOptions {
  /** @default "Error distribution on the hold-out" */
  title?: string;
  /** Width of a bin in percentage points; must divide 100. @default 5 */
  binWidth?: number;
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 56, right: 24, top: 56, bottom: 64 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const LIMIT = 100;

/**
 * A histogram of percentage errors, (predicted − actual) / actual × 100, from −100 % to +100 %;
 * errors beyond either end fall in an overflow bar there, so none go missing. The median error
 * (the bias) and ± MAPE are marked, both computed on the unclipped errors.
 */
export function errorDistributionSvg(percentErrors: readonly number[], options: ErrorDistributionOptions = {}): string {
  const { title = "Error distribution on the hold-out", binWidth = 5 } = options;
  if (!Number.isInteger(binWidth) || binWidth < 1 || LIMIT % binWidth !== 0) {
    throw new RangeError(`binWidth must be a whole number of percentage points that divides 100, got ${binWidth}`);
  }
  const errors = percentErrors.filter((e) => !Number.isNaN(e));
  if (errors.length === 0) return noDataSvg(title, WIDTH, HEIGHT);

  const regular = (2 * LIMIT) / binWidth;
  // Slot 0 is the underflow bar, slots 2…regular+1 the bins, slot regular+3 the overflow bar.
  const counts = new Array<number>(regular + 4).fill(0);
  for (const e of errors) {
    if (e < -LIMIT) counts[0]!++;
    else if (e > LIMIT) counts[regular + 3]!++;
    else counts[2 + Math.min(regular - 1, Math.floor((e + LIMIT) / binWidth))]!++;
  }
  const sorted = Float64Array.from(errors).sort();
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const mape = errors.reduce((sum, e) => sum + Math.abs(e), 0) / errors.length;

  const lo = -LIMIT - 2 * binWidth;
  const hi = LIMIT + 2 * binWidth;
  const x = (percent: number) => MARGIN.left + ((percent - lo) / (hi - lo)) * PLOT_W;
  const slotX = (slot: number) => x(lo + slot * binWidth);
  const bottom = MARGIN.top + PLOT_H;
  const top = Math.max(...counts);
  // A bar of one error among thousands still shows.
  const barHeight = (n: number) => Math.max(1, (n / top) * PLOT_H);
  const markerX = (percent: number) => fixed(x(Math.max(-LIMIT, Math.min(LIMIT, percent))));

  const bars = counts.flatMap((n, slot) => {
    if (n === 0) return [];
    const overflow = slot === 0 || slot === regular + 3;
    const h = barHeight(n);
    return [
      `<rect x="${fixed(slotX(slot) + 0.5)}" y="${fixed(bottom - h)}" width="${fixed(slotX(1) - slotX(0) - 1)}" height="${fixed(h)}" fill="${overflow ? "#f59e0b" : "#2563eb"}"><title>${n}</title></rect>`,
    ];
  });
  const xTicks = [-100, -50, 0, 50, 100];
  const parts: string[] = [
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="#ffffff" stroke="#9ca3af"/>`,
    ...bars,
    `<line x1="${markerX(median)}" y1="${MARGIN.top}" x2="${markerX(median)}" y2="${bottom}" stroke="#dc2626" stroke-width="2"/>`,
    ...[-mape, mape].map(
      (m) =>
        `<line x1="${markerX(m)}" y1="${MARGIN.top}" x2="${markerX(m)}" y2="${bottom}" stroke="#059669" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    ),
    `<g font-family="sans-serif" font-size="11" fill="#374151" text-anchor="middle">`,
    ...xTicks.map((t) => `<text x="${fixed(x(t))}" y="${bottom + 16}">${t > 0 ? "+" : ""}${t} %</text>`),
    // A row lower, or they would overlap the ±100 % ticks just beside them.
    `<text x="${fixed(slotX(0.5))}" y="${bottom + 30}">${escapeXml(`< -${LIMIT}`)}</text>`,
    `<text x="${fixed(slotX(regular + 3.5))}" y="${bottom + 30}">${escapeXml(`> +${LIMIT}`)}</text>`,
    `</g>`,
    `<text x="${MARGIN.left - 6}" y="${MARGIN.top + 4}" text-anchor="end" font-family="sans-serif" font-size="11" fill="#374151">${top}</text>`,
    `<text x="${MARGIN.left - 6}" y="${bottom}" text-anchor="end" font-family="sans-serif" font-size="11" fill="#374151">0</text>`,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle" font-family="sans-serif" font-size="12">${escapeXml("(predicted − actual) / actual")}</text>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="40" text-anchor="middle" font-family="sans-serif" font-size="11" fill="#6b7280">${escapeXml(legend(errors.length, median, mape))}</text>`,
  ];
  return svgDocument(title, parts, WIDTH, HEIGHT);
}

function legend(n: number, median: number, mape: number): string {
  return `n = ${n.toLocaleString("en-US")} · median ${median > 0 ? "+" : ""}${median.toFixed(1)} % (red) · MAPE ${mape.toFixed(1)} % (green, ±)`;
}

const fixed = (value: number) => value.toFixed(1);
