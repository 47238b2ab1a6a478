export const MODEL_INPUT_ERROR_CODES = {
  NO_PRICES: "no card in the input has a price history longer than the 7-day horizon",
  INSUFFICIENT_HISTORY: "the prices span too few dates for a time-based split (about 4 weeks are needed)",
  FEATURE_MISMATCH: "the model reads other features than this build computes",
  BAD_FEATURES: "a feature row holds a value that is not a finite number (bad input data)",
} as const;

export type ModelInputErrorCode = keyof typeof MODEL_INPUT_ERROR_CODES;

/** Input the model cannot train on or score; `code` says which rule it broke. */
export class ModelInputError extends Error {
  override readonly name = "ModelInputError";
  constructor(
    readonly code: ModelInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isModelInputError = (error: unknown): error is ModelInputError => error instanceof ModelInputError;
