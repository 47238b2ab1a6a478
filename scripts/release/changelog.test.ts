import { describe, expect, it } from "vitest";
import { releaseChangelog, renderNotes } from "./changelog.js";
import { noteOf, notesOf } from "./conventional-commits.js";

const HEAD = "# Changelog\n\nIntro.\n\n## [Unreleased]\n";
const noCommits = () => ({});

describe("releaseChangelog", () => {
  it("moves the Unreleased entries, keeping their subsections and what follows", () => {
    const text = `${HEAD}\n### Fixed\n\n- one\n\n## [0.1.0] - 2026-01-01\n\n- first\n`;
    const release = releaseChangelog(text, "0.2.0", "2026-02-02", () => {
      throw new Error("commits are not read when Unreleased has entries");
    });
    expect(release).toEqual({
      changelog: `${HEAD}\n## [0.2.0] - 2026-02-02\n\n### Fixed\n\n- one\n\n## [0.1.0] - 2026-01-01\n\n- first\n`,
      notes: "### Fixed\n\n- one\n",
      fromCommits: false,
    });
  });

  it("stops at link definitions at the bottom when Unreleased is the last section", () => {
    const text = `${HEAD}\n- a change\n\n[Unreleased]: https://example.com/compare/v0.1.0...HEAD\n`;
    expect(releaseChangelog(text, "0.2.0", "2026-02-02", noCommits).changelog).toBe(
      `${HEAD}\n## [0.2.0] - 2026-02-02\n\n- a change\n\n[Unreleased]: https://example.com/compare/v0.1.0...HEAD\n`,
    );
  });

  it("fills an Unreleased without entries (empty subsection headings included) from the commits", () => {
    const text = `${HEAD}\n### Added\n\n## [0.1.0] - 2026-01-01\n`;
    const release = releaseChangelog(text, "0.2.0", "2026-02-02", () => ({ Added: ["x"] }));
    expect(release.fromCommits).toBe(true);
    expect(release.changelog).toBe(`${HEAD}\n## [0.2.0] - 2026-02-02\n\n### Added\n\n- x\n\n## [0.1.0] - 2026-01-01\n`);
    expect(releaseChangelog(`${HEAD}`, "0.2.0", "2026-02-02", noCommits).notes).toBe("No notable changes.\n");
  });

  it("refuses a changelog without an Unreleased heading", () => {
    expect(() => releaseChangelog("# Changelog\n\n## [0.1.0]\n", "0.2.0", "2026-02-02", noCommits)).toThrow(
      /no `## \[Unreleased\]` heading/,
    );
  });
});

describe("conventional commits", () => {
  it("files feat, fix and perf under their sections and anything breaking under Breaking", () => {
    expect(noteOf("feat: a")).toEqual({ section: "Added", text: "a" });
    expect(noteOf("fix(keys): b\n\nbody")).toEqual({ section: "Fixed", text: "**keys:** b" });
    expect(noteOf("perf: c")).toEqual({ section: "Changed", text: "c" });
    expect(noteOf("Feat: capitalised type")).toEqual({ section: "Added", text: "capitalised type" });
    expect(noteOf("chore!: drop Node 18")).toEqual({ section: "Breaking", text: "drop Node 18" });
    expect(noteOf("fix: d\n\nBREAKING-CHANGE: the hyphenated footer")).toEqual({ section: "Breaking", text: "d" });
  });

  it("leaves out other types and messages that are not conventional", () => {
    for (const message of [
      "chore: x",
      "docs(readme): y",
      "Merge branch 'main'",
      "feat:missing space",
      "feat(: z",
      "README: w",
    ]) {
      expect(noteOf(message), message).toBeNull();
    }
  });

  it("keeps each section's commits in the order given and renders Breaking first", () => {
    const notes = notesOf(["fix: 1", "feat: 2", "feat!: 3", "fix: 4"]);
    expect(notes).toEqual({ Fixed: ["1", "4"], Added: ["2"], Breaking: ["3"] });
    expect(renderNotes(notes)).toBe("### Breaking\n\n- 3\n\n### Added\n\n- 2\n\n### Fixed\n\n- 1\n- 4\n");
  });
});
