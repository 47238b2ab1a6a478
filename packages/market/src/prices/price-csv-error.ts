/** Why a whole price CSV was refused (as opposed to single rows, which are reported and skipped). */
export type PriceCsvErrorReason = "UNREADABLE_FILE" | "EMPTY_FILE" | "MISSING_COLUMNS" | "DUPLICATE_COLUMNS";

/** The file as a whole cannot be read as prices: nothing from it was kept. */
export class PriceCsvError extends Error {
  constructor(
    readonly reason: PriceCsvErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "PriceCsvError";
  }
}

/** Why one row was left out; every rejected row carries exactly one. */
export type PriceRowRejection =
  | "MALFORMED_CSV"
  | "FIELD_COUNT"
  | "BLANK_CARD_ID"
  | "BAD_CARD_ID"
  | "BAD_DATE"
  | "BAD_PRICE"
  | "BAD_CURRENCY"
  | "LOW_ABOVE_HIGH"
  | "BAD_VOLUME"
  | "BAD_SOURCE"
  | "GRADED"
  | "DUPLICATE"
  | "OTHER_VARIANT";

export interface RejectedRow {
  /** Physical line in the file where the row starts; the header is line 1. */
  line: number;
  code: PriceRowRejection;
  /** What is wrong, naming the column and the bad value. */
  reason: string;
  /** The row as CSV (at most 200 characters), when it could be parsed into fields. */
  raw?: string;
}
