import { describe, expect, it } from "vitest";
import { newModelVersionId } from "./model-version-id.js";
import { newModelVersionFixture } from "./model-version.fixture.js";
import type { NewModelVersion } from "./model-version.js";
import { InvalidModelVersionError, isModelRegistryError } from "./registry-error.js";
import { validateNewModelVersion } from "./validate-new-model-version.js";
import { decodeVersionCursor, encodeVersionCursor } from "./version-cursor.js";

const valid = newModelVersionFixture(1);
const issuesOf = (input: unknown): string[] => {
  try {
    validateNewModelVersion(input as NewModelVersion);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidModelVersionError);
    expect(isModelRegistryError(error, "INVALID_MODEL_VERSION")).toBe(true);
    return (error as InvalidModelVersionError).issues;
  }
};

describe("validateNewModelVersion", () => {
  it("accepts a complete version", () => {
    expect(issuesOf(valid)).toEqual([]);
  });

  it("lists every problem at once, not just the first", () => {
    const issues = issuesOf({
      ...valid,
      artifact: new Uint8Array(0),
      features: ["a", "b", "a", "b"],
      metrics: { ...valid.metrics, rmse: Number.POSITIVE_INFINITY, intervalCoverage: 1.5 },
      interval: { coverage: 0.8, lowLogRatio: 0.3, highLogRatio: 0.1 },
    });
    expect(issues).toEqual([
      "artifact must be a non-empty Uint8Array",
      "features must be unique; repeated: a, b",
      "metrics.rmse must be a finite number ≥ 0, got Infinity",
      "metrics.intervalCoverage must be within [0, 1], got 1.5",
      "interval.lowLogRatio (0.3) must be ≤ interval.highLogRatio (0.1)",
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ["nothing at all", undefined, /artifact/],
    ["bytes as a plain array", { ...valid, artifact: [1, 2, 3] }, /artifact must be a non-empty Uint8Array/],
    ["a blank feature name", { ...valid, features: ["lag_1", " "] }, /non-empty strings/],
    ["a negative MAE", { ...valid, metrics: { ...valid.metrics, mae: -1 } }, /metrics\.mae/],
    ["a fractional row count", { ...valid, metrics: { ...valid.metrics, n: 2.5 } }, /metrics\.n/],
    ["a missing baseline", { ...valid, metrics: { ...valid.metrics, baselines: {} } }, /baselines\.lastPrice\.mape/],
    ["an interval without bounds", { ...valid, interval: { coverage: 0.8 } }, /must be finite numbers/],
    ["a nominal coverage of 1", { ...valid, interval: { ...valid.interval, coverage: 1 } }, /interval\.coverage/],
    [
      "dates the wrong way round",
      { ...valid, trainingSummary: { ...valid.trainingSummary, from: "2026-02-01", to: "2026-01-01" } },
      /from ≤ to/,
    ],
    [
      "a date that is not a day",
      { ...valid, trainingSummary: { ...valid.trainingSummary, to: "yesterday" } },
      /YYYY-MM-DD/,
    ],
    ["params as null", { ...valid, trainingSummary: { ...valid.trainingSummary, params: null } }, /params/],
  ])("refuses %s", (_case, input, message) => {
    expect(issuesOf(input).join("\n")).toMatch(message);
  });
});

describe("version cursors and ids", () => {
  it("round-trips a version through an opaque cursor", () => {
    expect(decodeVersionCursor(encodeVersionCursor(42))).toBe(42);
    expect(encodeVersionCursor(42)).not.toContain("42");
  });

  it.each([
    "",
    "42",
    "dmVyc2lvbjo=",
    Buffer.from("version:-1").toString("base64url"),
    Buffer.from("version:1.5").toString("base64url"),
  ])("refuses the cursor %j with INVALID_ARGUMENT", (cursor) => {
    expect(() => decodeVersionCursor(cursor)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("makes mv_ ids that sort by creation time", () => {
    const earlier = newModelVersionId(Date.parse("2026-01-01T00:00:00Z"));
    const later = newModelVersionId(Date.parse("2026-01-01T00:00:01Z"));
    expect(earlier).toMatch(/^mv_[0-9a-z]{22}$/);
    expect(earlier < later).toBe(true);
    expect(newModelVersionId(0)).not.toBe(newModelVersionId(0));
  });
});
