export type Signal = "BUY" | "SELL" | "HOLD";

/** Percent deviations from fair at which the signal flips (BUY_THRESHOLD_PCT, SELL_THRESHOLD_PCT). */
export interface SignalThresholds {
  /** At or below: BUY. @default -10 */
  buyPct: number;
  /** At or above: SELL. @default 15 */
  sellPct: number;
}

export const DEFAULT_SIGNAL_THRESHOLDS: SignalThresholds = { buyPct: -10, sellPct: 15 };

/** `(market - fair) / fair` in percent. */
export function deviationPct(marketPrice: number, fairPrice: number): number {
  return ((marketPrice - fairPrice) / fairPrice) * 100;
}

export function signalFor(deviation: number, { buyPct, sellPct }: SignalThresholds): Signal {
  if (deviation <= buyPct) return "BUY";
  if (deviation >= sellPct) return "SELL";
  return "HOLD";
}
