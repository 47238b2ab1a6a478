// Release notes from conventional commits (https://www.conventionalcommits.org): the same sections
// as cliff.toml, which renders the GitHub release's notes, so both read alike.
import { type ReleaseNotes, type Section } from "./changelog.js";

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, each optional group bounded by a literal: linear; run on this repository's commit subjects
const HEADER = /^(?<type>[a-zA-Z]+)(?:\((?<scope>[^()\r\n]*)\))?(?<bang>!)?: (?<description>\S.*)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: /m;
const SECTION_OF_TYPE: Record<string, Section> = { feat: "Added", fix: "Fixed", perf: "Changed" };

export interface NoteEntry {
  section: Section;
  text: string;
}

/** The changelog entry of one commit message, or null for a commit the notes leave out (chore, docs, …). */
export function noteOf(message: string): NoteEntry | null {
  const [header = "", ...rest] = message.split("\n");
  const groups = HEADER.exec(header.trim())?.groups;
  if (!groups) return null;
  const breaking = groups.bang === "!" || BREAKING_FOOTER.test(rest.join("\n"));
  const section = breaking ? "Breaking" : SECTION_OF_TYPE[groups.type!.toLowerCase()];
  if (!section) return null;
  const text = groups.scope ? `**${groups.scope}:** ${groups.description}` : groups.description!;
  return { section, text };
}

/** The notes of a list of commit messages, oldest first within each section. */
export function notesOf(messages: string[]): ReleaseNotes {
  const notes: ReleaseNotes = {};
  for (const entry of messages.map(noteOf)) {
    if (entry) (notes[entry.section] ??= []).push(entry.text);
  }
  return notes;
}
