import { DayLines } from "./day-lines.js";

/** The days of one card from one source that a file has given so far. */
export interface Series {
  /** The strings of the series' first row: every point of the series shares one copy. */
  readonly cardId: string;
  readonly source: string;
  readonly lines: DayLines;
  /** Per day, 1 + the index of the kept row's variant; only when the file has a variant column. */
  readonly variants: DayLines | undefined;
}

/** The row a file gave first for one card, day and source. */
export interface KeptRow {
  line: number;
  /** Blank when the file has no variant column. */
  variant: string;
}

/**
 * Remembers the first accepted row of every (card_id, date, source) in a file, so a later row for
 * the same key can name it. A day costs 4 bytes (8 with variants): files of millions of rows fit.
 */
export class FirstRows {
  private readonly series = new Map<string, Series>();
  // A file has a handful of variant names; each day stores an index instead of a string.
  private readonly variantNames: string[] = [];
  private readonly variantIds = new Map<string, number>();
  // Sorted files repeat the same card for many rows: reusing the previous series skips a lookup.
  private last: Series | undefined;

  constructor(private readonly withVariants: boolean) {}

  seriesOf(cardId: string, source: string): Series {
    if (this.last?.cardId === cardId && this.last.source === source) return this.last;
    const key = `${source}\u0000${cardId}`;
    let series = this.series.get(key);
    if (!series) {
      series = { cardId, source, lines: new DayLines(), variants: this.withVariants ? new DayLines() : undefined };
      this.series.set(key, series);
    }
    return (this.last = series);
  }

  kept(series: Series, day: number): KeptRow | undefined {
    const line = series.lines.get(day);
    if (line === undefined) return undefined;
    const id = series.variants?.get(day);
    return { line, variant: id === undefined ? "" : this.variantNames[id - 1]! };
  }

  keep(series: Series, day: number, line: number, variant: string): void {
    series.lines.set(day, line);
    if (!series.variants) return;
    let id = this.variantIds.get(variant);
    if (id === undefined) {
      id = this.variantNames.push(variant) - 1;
      this.variantIds.set(variant, id);
    }
    series.variants.set(day, id + 1);
  }
}
