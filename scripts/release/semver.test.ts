import { describe, expect, it } from "vitest";
import { bumpVersion, compareVersions, formatVersion, parseVersion } from "./semver.js";

const v = (text: string) => {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`not a version: ${text}`);
  return parsed;
};

describe("semver", () => {
  it("accepts strict X.Y.Z with an optional prerelease and formats it back", () => {
    for (const text of ["0.1.0", "1.2.3", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha", "2.0.0-0.3.7", "1.0.0-x-y.1"]) {
      expect(formatVersion(v(text))).toBe(text);
    }
  });

  it("refuses anything else", () => {
    for (const text of [
      "",
      "1",
      "1.2",
      "v1.2.3",
      "1.2.3.4",
      "01.2.3",
      "1.02.3",
      "1.2.3-",
      "1.2.3-01",
      "1.2.3+build",
      " 1.2.3",
      "1.2.x",
    ]) {
      expect(parseVersion(text), text).toBeNull();
    }
  });

  it("orders by semver precedence", () => {
    const ordered = [
      "0.9.9",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(compareVersions(v(ordered[i - 1]!), v(ordered[i]!)), `${ordered[i - 1]} < ${ordered[i]}`).toBeLessThan(0);
      expect(compareVersions(v(ordered[i]!), v(ordered[i - 1]!))).toBeGreaterThan(0);
    }
    expect(compareVersions(v("1.2.3-rc.1"), v("1.2.3-rc.1"))).toBe(0);
  });

  it("bumps like npm's semver.inc", () => {
    const cases: [string, "major" | "minor" | "patch", string][] = [
      ["0.1.0", "patch", "0.1.1"],
      ["0.1.0", "minor", "0.2.0"],
      ["0.1.9", "major", "1.0.0"],
      ["1.2.3", "minor", "1.3.0"],
      ["1.2.0-rc.1", "patch", "1.2.0"],
      ["1.2.0-rc.1", "minor", "1.2.0"],
      ["1.2.3-rc.1", "minor", "1.3.0"],
      ["2.0.0-rc.1", "major", "2.0.0"],
      ["2.1.0-rc.1", "major", "3.0.0"],
    ];
    for (const [from, level, to] of cases)
      expect(formatVersion(bumpVersion(v(from), level)), `${from} ${level}`).toBe(to);
  });
});
