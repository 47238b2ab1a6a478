import type { ApolloServerPlugin } from "@apollo/server";
import { pokewatchError } from "@pokewatch/kit";
import { findHostileId } from "../operation/hostile-ids.js";
import { selectedFieldsOf } from "../operation/request-fields.js";

/**
 * Refuses an operation that passes an id no PokeWatch id can be — longer than 200 characters or
 * holding a control character (a NUL byte makes PostgreSQL itself fail) — anywhere in its
 * arguments, literal or variable: 400 BAD_USER_INPUT naming the argument, before any subgraph,
 * and before the quota is charged.
 */
export function idArgumentsPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ schema, operation, document, request }) {
          // No operation: operationResolutionPlugin answers that.
          if (!operation) return Promise.resolve();
          // Bad variables (null): the gateway refuses them itself with their own errors.
          const fields = selectedFieldsOf({ schema, operation, document, request }) ?? [];
          for (const selected of fields) {
            for (const argument of selected.definition.args) {
              const hostile = findHostileId(argument.type, selected.args[argument.name], argument.name);
              if (!hostile) continue;
              const field = `${selected.parentType}.${selected.fieldName}`;
              return Promise.reject(
                pokewatchError("BAD_USER_INPUT", `${field}: the id at ${hostile.at} ${hostile.problem}`, {
                  extensions: { argument: argument.name, field },
                  endsRequest: true,
                }),
              );
            }
          }
          return Promise.resolve();
        },
      }),
  };
}
