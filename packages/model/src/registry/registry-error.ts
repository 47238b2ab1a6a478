/** Every way the model registry refuses a request, with what it means. */
export const REGISTRY_ERROR_CODES = {
  INVALID_MODEL_VERSION: "A new version's artifact, features, metrics, interval or summary is malformed.",
  INVALID_ARGUMENT: "An option is malformed: an unknown stage, a bad cursor or page size, a bad sha256.",
  MODEL_VERSION_NOT_FOUND: "No model version has this id.",
  ARTIFACT_NOT_FOUND: "The registry's database holds no artifact bytes for this sha256.",
  ARTIFACT_CORRUPTED: "The stored artifact bytes no longer hash to their sha256; the model is not served.",
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

export class ModelRegistryError extends Error {
  override readonly name: string = "ModelRegistryError";
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Raised by `get`-style calls that must find something: `promote`, `archive`. */
export class ModelVersionNotFoundError extends ModelRegistryError {
  override readonly name = "ModelVersionNotFoundError";
  constructor(readonly id: string) {
    super("MODEL_VERSION_NOT_FOUND", `No model version with id "${id}"`);
  }
}

/** A new version failed validation; `issues` lists every problem, not just the first. */
export class InvalidModelVersionError extends ModelRegistryError {
  override readonly name = "InvalidModelVersionError";
  constructor(readonly issues: string[]) {
    super("INVALID_MODEL_VERSION", `Invalid model version: ${issues.join("; ")}`);
  }
}

export function isModelRegistryError(error: unknown, code?: RegistryErrorCode): error is ModelRegistryError {
  return error instanceof ModelRegistryError && (code === undefined || error.code === code);
}
