import { GraphQLError } from "graphql";

/** Runs `run`, expecting it to throw a GraphQLError, and returns that error for assertions. */
export function rejection(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error("expected a GraphQLError");
}
