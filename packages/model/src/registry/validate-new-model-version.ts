import type { ErrorMetrics, NewModelVersion } from "./model-version.js";
import { InvalidModelVersionError } from "./registry-error.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/**
 * Throws an `InvalidModelVersionError` listing every problem. A version is checked before anything
 * is written: a NaN would turn into `null` in jsonb and come back as a different model.
 */
export function validateNewModelVersion(input: NewModelVersion): void {
  const issues: string[] = [];
  const check = (ok: boolean, issue: string) => {
    if (!ok) issues.push(issue);
  };
  const errorMetrics = (path: string, metrics: ErrorMetrics | undefined) => {
    for (const key of ["mape", "rmse", "mae"] as const) {
      const value = metrics?.[key];
      check(isFiniteNumber(value) && value >= 0, `${path}.${key} must be a finite number ≥ 0, got ${String(value)}`);
    }
  };

  const { artifact, features, metrics, interval, trainingSummary: summary } = input ?? ({} as NewModelVersion);
  check(artifact instanceof Uint8Array && artifact.byteLength > 0, "artifact must be a non-empty Uint8Array");

  if (!Array.isArray(features) || features.length === 0) {
    issues.push("features must be a non-empty array of names");
  } else {
    check(
      features.every((name) => typeof name === "string" && name.trim() !== ""),
      "features must be non-empty strings",
    );
    const repeated = features.filter((name, i) => features.indexOf(name) !== i);
    check(repeated.length === 0, `features must be unique; repeated: ${[...new Set(repeated)].join(", ")}`);
  }

  errorMetrics("metrics", metrics);
  errorMetrics("metrics.baselines.lastPrice", metrics?.baselines?.lastPrice);
  errorMetrics("metrics.baselines.rollingMean3", metrics?.baselines?.rollingMean3);
  check(Number.isInteger(metrics?.n) && metrics.n >= 0, `metrics.n must be an integer ≥ 0, got ${String(metrics?.n)}`);
  const coverage = metrics?.intervalCoverage;
  check(
    isFiniteNumber(coverage) && coverage >= 0 && coverage <= 1,
    `metrics.intervalCoverage must be within [0, 1], got ${String(coverage)}`,
  );

  const { lowLogRatio: low, highLogRatio: high, coverage: nominal } = interval ?? ({} as NewModelVersion["interval"]);
  check(
    isFiniteNumber(nominal) && nominal > 0 && nominal < 1,
    `interval.coverage must be within (0, 1), got ${String(nominal)}`,
  );
  if (isFiniteNumber(low) && isFiniteNumber(high)) {
    check(low <= high, `interval.lowLogRatio (${low}) must be ≤ interval.highLogRatio (${high})`);
  } else {
    issues.push(`interval.lowLogRatio and highLogRatio must be finite numbers, got ${String(low)} and ${String(high)}`);
  }

  if (typeof summary !== "object" || summary === null) {
    issues.push("trainingSummary is required");
  } else {
    for (const key of ["cards", "rows", "trainingMs"] as const) {
      const value = summary[key];
      check(isFiniteNumber(value) && value >= 0, `trainingSummary.${key} must be a finite number ≥ 0`);
    }
    const { from, to } = summary;
    check(
      typeof from === "string" && DAY.test(from) && typeof to === "string" && DAY.test(to) && from <= to,
      `trainingSummary.from and .to must be YYYY-MM-DD with from ≤ to, got ${String(from)} and ${String(to)}`,
    );
    check(
      Array.isArray(summary.sources) && summary.sources.every((s) => typeof s === "string"),
      "trainingSummary.sources must be an array of strings",
    );
    const { params } = summary;
    check(
      typeof params === "object" &&
        params !== null &&
        !Array.isArray(params) &&
        Object.values(params).every((value) => typeof value === "string" || isFiniteNumber(value)),
      "trainingSummary.params must be an object of strings and finite numbers",
    );
  }

  if (issues.length > 0) throw new InvalidModelVersionError(issues);
}
