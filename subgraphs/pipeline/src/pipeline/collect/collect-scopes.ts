import { isProviderError, type CollectionLog, type PricePoint, type ProviderPrices } from "@pokewatch/market";
import { StepFailure, type StepContext } from "../steps/step.js";
import { describeFailure } from "./collect-options.js";
import { emptyReport, type ProviderReport } from "./provider-report.js";

export interface CollectScopesOptions {
  ctx: StepContext;
  log: CollectionLog;
  provider: string;
  unit: ProviderReport["unit"];
  /** The collection day, `YYYY-MM-DD`. */
  day: string;
  /** What this run is to collect, in order. */
  scopes: readonly string[];
  /** Scopes already collected that day: not fetched again. */
  done: ReadonlySet<string>;
  /** Requests this run may send at most (a credit budget); the rest wait for the next run. */
  maxCalls?: number;
  /** `Date.now()` past which no request starts. */
  deadline: number;
  fetch: (scope: string) => Promise<ProviderPrices>;
  /** Points worth storing (e.g. cards of the catalog); the others count as skipped. */
  keep?: (point: PricePoint) => boolean;
}

/** Failures in a row after which a provider is taken for down for this run. */
export const MAX_FAILURES_IN_A_ROW = 3;

/**
 * Fetches each scope not yet collected that day, one request after another, and stores each
 * scope's prices with its log entry in one transaction, so a rerun the same day asks only for what
 * is missing. One failing scope is logged and the walk goes on; the walk stops for the run when
 * the provider never answered (DNS, refused, timeout on the first request), rate-limits after its
 * retries, refuses the key, fails several times in a row, or the time or call budget is spent.
 */
export async function collectScopes(options: CollectScopesOptions): Promise<ProviderReport> {
  const { ctx, log, provider, day, done } = options;
  const report = emptyReport(provider, options.unit, options.scopes.length);
  const pending = options.scopes.filter((scope) => !done.has(scope));
  report.alreadyCollected = options.scopes.length - pending.length;
  let inARow = 0;
  for (const [index, scope] of pending.entries()) {
    const stop = (why: string) => {
      report.stopped = why;
      report.notTried = pending.length - index;
    };
    if (options.maxCalls !== undefined && index >= options.maxCalls) {
      stop(`call budget of ${options.maxCalls} spent`);
      break;
    }
    // The service is shutting down: end the run now, not after the remaining sets (each one is
    // bounded by its timeouts and retries; the sets not reached wait for the next run).
    if (ctx.signal?.aborted) throw new StepFailure(`stopped before ${provider} ${scope}: the run was stopped`);
    if (Date.now() > options.deadline) {
      stop("time budget spent");
      break;
    }
    let prices: ProviderPrices;
    try {
      prices = await options.fetch(scope);
    } catch (error) {
      if (!isProviderError(error)) throw error;
      const reason = describeFailure(error);
      if (error.status !== null) report.answered = true;
      report.failed.push({ scope, reason });
      await log.failed({ provider, scope, day, error: reason });
      ctx.progress?.(`${provider} ${scope}: failed (${reason})`);
      inARow++;
      const rest = () => pending.length - index - 1;
      if (!report.answered && (error.code === "NETWORK" || error.code === "TIMEOUT")) {
        stop(`${provider} does not answer (${reason})`);
        report.notTried = rest();
        break;
      }
      if (error.code === "RATE_LIMITED" || error.code === "UNAUTHORIZED" || inARow >= MAX_FAILURES_IN_A_ROW) {
        stop(
          error.code === "RATE_LIMITED"
            ? "rate limited"
            : error.code === "UNAUTHORIZED"
              ? "key refused"
              : `${inARow} failures in a row`,
        );
        report.notTried = rest();
        break;
      }
      continue;
    }
    report.answered = true;
    inARow = 0;
    const kept = options.keep ? prices.points.filter(options.keep) : prices.points;
    const skipped = prices.skipped.length + (prices.points.length - kept.length);
    const counts = await log.collected({ provider, scope, day, skipped }, kept);
    report.collected.push({ scope, points: kept.length, skipped });
    report.inserted += counts.inserted;
    report.updated += counts.updated;
    report.skippedCards += skipped;
    ctx.progress?.(
      `${provider} ${scope}: ${kept.length} prices (${counts.inserted} new, ${counts.updated} changed)` +
        (skipped > 0 ? `, ${skipped} cards without a price` : ""),
    );
  }
  return report;
}
