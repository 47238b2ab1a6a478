import { pokewatchError } from "@pokewatch/kit";
import { isModelRegistryError, ModelVersionNotFoundError } from "@pokewatch/model";

export const modelVersionNotFound = (id: string) =>
  pokewatchError("NOT_FOUND", `No model version with id "${id}"`, { extensions: { argument: "id" } });

/** What a refused argument is called in the schema, and the message to answer with. */
export interface InvalidArgument {
  argument: string;
  message: string;
}

/**
 * Runs a registry call, turning what it refuses into the client's error: an unknown version is
 * NOT_FOUND, a bad argument BAD_USER_INPUT (with `invalid`'s wording when given). Anything else (a
 * missing or corrupt artifact, the database) is ours: rethrown, so it is logged and masked.
 */
export async function fromRegistry<T>(call: () => Promise<T>, invalid?: InvalidArgument): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ModelVersionNotFoundError) throw modelVersionNotFound(error.id);
    if (isModelRegistryError(error, "INVALID_ARGUMENT")) {
      throw pokewatchError(
        "BAD_USER_INPUT",
        invalid?.message ?? error.message,
        invalid ? { extensions: { argument: invalid.argument } } : {},
      );
    }
    throw error;
  }
}
