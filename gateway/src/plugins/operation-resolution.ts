import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * Refuses a document whose operation cannot be chosen (several operations and no, or an unknown,
 * `operationName`) with 400 OPERATION_RESOLUTION_FAILURE. Without it the gateway's executor throws
 * an uncoded error, which clients would see as a 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ operation, request }) {
          if (operation) return Promise.resolve();
          const message = request.operationName
            ? `No operation named "${request.operationName}" in the document`
            : "The document has several operations; say which one to run with operationName";
          const extensions = { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } };
          return Promise.reject(new GraphQLError(message, { extensions }));
        },
      }),
  };
}
