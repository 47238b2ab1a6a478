/** At most one tree-count line this often per step: training alone reports every 25 trees. */
export const PROGRESS_INTERVAL_MS = 2_000;

const TREE_COUNT = /^(.*): (\d+)\/(\d+) trees$/;

/**
 * Decides which `step-progress` messages a watcher shows (the CLI, the stack's log). Tree counts
 * (`fit: 40/120 trees`) pass at most once per `intervalMs`, except a stage's first and last;
 * any other message (`simulating …`, `exporting to ONNX …`) always passes.
 */
export function createProgressThrottle(
  intervalMs = PROGRESS_INTERVAL_MS,
  now: () => number = Date.now,
): (message: string) => boolean {
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new TypeError(`intervalMs must be a number of milliseconds ≥ 0, got ${String(intervalMs)}`);
  }
  let lastStage: string | null = null;
  let lastShownAt = -Infinity;
  return (message) => {
    const count = TREE_COUNT.exec(message);
    if (!count) return true;
    const [, stage, grown, total] = count;
    const at = now();
    if (stage !== lastStage || grown === total || at - lastShownAt >= intervalMs) {
      lastStage = stage ?? null;
      lastShownAt = at;
      return true;
    }
    return false;
  };
}
