import { GraphQLError } from "graphql";

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * Runs `run`, expecting it to throw an error of `type` (GraphQLError unless told), and returns that
 * error for assertions.
 */
export function rejection<E extends Error = GraphQLError>(
  run: () => unknown,
  type: ErrorClass<E> = GraphQLError as unknown as ErrorClass<E>,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}
