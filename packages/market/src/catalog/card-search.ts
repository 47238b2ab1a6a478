/** Search options for the catalog; all filters combine with AND. */
export interface CardSearch {
  /** Case- and accent-insensitive substring of the card name. */
  name?: string | null;
  setId?: string | null;
  /** Exact rarity, case-insensitive (`Special Illustration Rare`). */
  rarity?: string | null;
  supertype?: string | null;
  /** Page size. @default 20 */
  first?: number | null;
  /** Cursor of the last card of the previous page. */
  after?: string | null;
}

export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 100;

export class CatalogInputError extends Error {
  constructor(
    message: string,
    readonly argument: string,
  ) {
    super(message);
    this.name = "CatalogInputError";
  }
}

export function foldText(text: string): string {
  // Most names are plain ASCII, which has nothing to fold but case.
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase();
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase();
}

const CURSOR_PREFIX = "card:";

/** Cursors are opaque to clients; inside they hold the card's position in the catalog order. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const position = Number(text.slice(CURSOR_PREFIX.length));
  if (!text.startsWith(CURSOR_PREFIX) || !Number.isInteger(position) || position < 0) {
    throw new CatalogInputError(`after: ${JSON.stringify(cursor)} is not a cursor this API returned`, "after");
  }
  return position;
}
