/** What one provider did in one collect run: the step message and output are made of these. */
export interface ProviderReport {
  provider: string;
  /** What one request covers: `set` (pokemontcg.io) or `card` (a history backfill). */
  unit: "set" | "card";
  /** Scopes this run was to collect. */
  requested: number;
  /** Scopes already collected on the collection day: not fetched again. */
  alreadyCollected: number;
  collected: { scope: string; points: number; skipped: number }[];
  failed: { scope: string; reason: string }[];
  /** Scopes not tried because the provider was stopped (unreachable, rate limited, out of time or credits). */
  notTried: number;
  /** Why the provider was stopped early, or null. */
  stopped: string | null;
  /** Prices newly stored or changed. */
  inserted: number;
  updated: number;
  /** Cards the provider had no usable price for (counted, never fatal). */
  skippedCards: number;
  /** Requests answered with an HTTP status (any): false when the provider never answered at all. */
  answered: boolean;
}

export function emptyReport(provider: string, unit: ProviderReport["unit"], requested: number): ProviderReport {
  return {
    provider,
    unit,
    requested,
    alreadyCollected: 0,
    collected: [],
    failed: [],
    notTried: 0,
    stopped: null,
    inserted: 0,
    updated: 0,
    skippedCards: 0,
    answered: false,
  };
}

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? "" : "s"}`;
const MAX_NAMED_FAILURES = 10;

/** One clause of the step message, e.g. `pokemontcg.io: 3 of 5 sets collected (612 prices, 412 new, …); failed: sv9 (UPSTREAM, HTTP 500)`. */
export function describeReport(report: ProviderReport): string {
  const points = report.collected.reduce((sum, c) => sum + c.points, 0);
  const parts = [
    `${report.provider}: ${count(report.collected.length)} of ${plural(report.requested, report.unit)} collected` +
      ` (${plural(points, "price")}, ${count(report.inserted)} new, ${count(report.updated)} changed,` +
      ` ${plural(report.skippedCards, "card")} without a price)`,
  ];
  if (report.alreadyCollected > 0) parts.push(`${count(report.alreadyCollected)} already collected that day`);
  if (report.failed.length > 0) {
    const named = report.failed.slice(0, MAX_NAMED_FAILURES).map((f) => `${f.scope} (${f.reason})`);
    const more = report.failed.length - named.length;
    parts.push(`failed: ${named.join(", ")}${more > 0 ? ` and ${count(more)} more` : ""}`);
  }
  if (report.stopped) parts.push(`stopped: ${report.stopped}; ${count(report.notTried)} not tried (next run)`);
  return parts.join("; ");
}
