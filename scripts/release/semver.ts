// Strict semver (X.Y.Z with an optional -prerelease; no build metadata, no leading "v"), enough for
// the version script to validate, compare and bump without a dependency.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

export type BumpLevel = "major" | "minor" | "patch";

const NUMBER = "0|[1-9]\\d*";
const IDENTIFIER = `(?:${NUMBER}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?$`);

/** The version, or null when `text` is not strict semver. */
export function parseVersion(text: string): Version | null {
  const match = SEMVER.exec(text);
  if (!match) return null;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? match[4].split(".") : [],
  };
}

export function formatVersion(v: Version): string {
  const core = `${v.major}.${v.minor}.${v.patch}`;
  return v.prerelease.length ? `${core}-${v.prerelease.join(".")}` : core;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Number(a) - Number(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  // A release ranks above its prereleases (1.0.0-rc.1 < 1.0.0).
  if (!a.prerelease.length || !b.prerelease.length) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const order = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (order !== 0) return order;
  }
  return a.prerelease.length - b.prerelease.length;
}

/**
 * The next version at `level`. A prerelease bumps to its own release when that is the level's next
 * version (1.2.0-rc.1 → minor → 1.2.0), as npm's `semver.inc` does.
 */
export function bumpVersion(v: Version, level: BumpLevel): Version {
  const pre = v.prerelease.length > 0;
  switch (level) {
    case "major":
      return {
        major: pre && v.minor === 0 && v.patch === 0 ? v.major : v.major + 1,
        minor: 0,
        patch: 0,
        prerelease: [],
      };
    case "minor":
      return { major: v.major, minor: pre && v.patch === 0 ? v.minor : v.minor + 1, patch: 0, prerelease: [] };
    case "patch":
      return { major: v.major, minor: v.minor, patch: pre ? v.patch : v.patch + 1, prerelease: [] };
  }
}
