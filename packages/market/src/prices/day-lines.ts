// 4,096 days (11 years) of 4-byte line numbers: 16 KB at most per card and source.
const MAX_DENSE_SPAN = 4096;

/**
 * The line on which each day of one card's series was first seen. Duplicate checks hold this for
 * every row of a file, so it costs 4 bytes a day instead of the ~50 of a Map entry (a 7M-row file:
 * 30 MB instead of 350 MB); a series spread over more than 11 years falls back to a Map.
 */
export class DayLines {
  private start = 0;
  private dense = new Int32Array(0);
  private sparse: Map<number, number> | undefined;

  get(day: number): number | undefined {
    if (this.sparse) return this.sparse.get(day);
    const line = this.dense[day - this.start];
    return line ? line : undefined;
  }

  set(day: number, line: number): void {
    if (!this.sparse && !this.covers(day)) this.grow(day);
    if (this.sparse) this.sparse.set(day, line);
    else this.dense[day - this.start] = line;
  }

  private covers(day: number): boolean {
    return day >= this.start && day < this.start + this.dense.length;
  }

  private grow(day: number): void {
    if (this.dense.length === 0) {
      this.start = day;
      this.dense = new Int32Array(64);
      return;
    }
    const low = Math.min(day, this.start);
    const high = Math.max(day + 1, this.start + this.dense.length);
    if (high - low > MAX_DENSE_SPAN) {
      const sparse = new Map<number, number>();
      this.dense.forEach((line, offset) => {
        if (line) sparse.set(this.start + offset, line);
      });
      this.sparse = sparse;
      this.dense = new Int32Array(0);
      return;
    }
    // Double the span on the side that grew, so a series read in either order grows in few steps.
    const size = Math.min(MAX_DENSE_SPAN, Math.max(high - low, this.dense.length * 2));
    const start = day < this.start ? high - size : low;
    const grown = new Int32Array(size);
    grown.set(this.dense, this.start - start);
    this.start = start;
    this.dense = grown;
  }
}
