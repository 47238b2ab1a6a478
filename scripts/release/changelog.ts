// CHANGELOG.md in the Keep a Changelog layout (https://keepachangelog.com/en/1.1.0/): releasing
// moves what is under `## [Unreleased]` into a new `## [X.Y.Z] - YYYY-MM-DD` section below it.

/** In the order they are printed; Breaking first so nobody misses it. */
export const SECTIONS = ["Breaking", "Added", "Changed", "Fixed"] as const;
export type Section = (typeof SECTIONS)[number];
export type ReleaseNotes = Partial<Record<Section, string[]>>;

const UNRELEASED = /^## \[Unreleased\][ \t]*$/im;
/** Where the Unreleased section ends: the next release heading or the link definitions at the bottom. */
const SECTION_END = /^(## |\[[^\]]+\]: )/m;
const ENTRY = /^\s*[-*] /m;

export function renderNotes(notes: ReleaseNotes): string {
  return SECTIONS.filter((section) => notes[section]?.length)
    .map((section) => `### ${section}\n\n${notes[section]!.map((entry) => `- ${entry}`).join("\n")}\n`)
    .join("\n");
}

export interface Release {
  changelog: string;
  /** The body of the new section. */
  notes: string;
  /** True when the Unreleased section had no entries and the notes came from the commits. */
  fromCommits: boolean;
}

/**
 * The changelog with the Unreleased entries released as `version` on `date`; when Unreleased holds
 * no entries, the section is filled from `commitNotes` instead. Throws when there is no Unreleased
 * heading to release from.
 */
export function releaseChangelog(
  text: string,
  version: string,
  date: string,
  commitNotes: () => ReleaseNotes,
): Release {
  const heading = UNRELEASED.exec(text);
  if (!heading) throw new Error("CHANGELOG.md has no `## [Unreleased]` heading to release from");
  const bodyStart = heading.index + heading[0].length;
  const rest = text.slice(bodyStart);
  const end = SECTION_END.exec(rest);
  const body = (end ? rest.slice(0, end.index) : rest).trim();
  const after = end ? rest.slice(end.index) : "";

  const fromCommits = !ENTRY.test(body);
  const notes = fromCommits ? renderNotes(commitNotes()) || "No notable changes.\n" : `${body}\n`;
  const changelog = `${text.slice(0, bodyStart)}\n\n## [${version}] - ${date}\n\n${notes}${after ? `\n${after}` : ""}`;
  return { changelog, notes, fromCommits };
}
