import { ERROR_CODES, GRAPHQL_REQUEST_CODES, httpStatusFor, type ErrorCode } from "./error-codes.js";

/** docs/errors.md, rendered from the error-code registry so the two cannot drift. */
export function renderErrorDocs(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map(
    (code) => `| \`${code}\` | ${httpStatusFor(code)} | ${ERROR_CODES[code].description} |`,
  );
  return [
    "# Error codes",
    "",
    "<!-- Generated from packages/kit/src/error-codes.ts by `pnpm docs:errors`; edit the registry, not this file. -->",
    "",
    "Every error PokeWatch returns carries `extensions.code`. Errors from a subgraph also carry",
    "`extensions.serviceName` (`pricing`, `keys`, `pipeline`). The HTTP status applies when the error",
    "ends the whole request (authentication, quotas); an error on one field answers HTTP 200 with",
    "`null` at that field and the error in `errors`, next to the fields that did answer.",
    "",
    "| code | HTTP | meaning |",
    "|---|---|---|",
    ...rows,
    "",
    "Apollo Server's own request errors pass through unchanged:",
    GRAPHQL_REQUEST_CODES.map((code) => `\`${code}\``).join(", ") + ".",
    "",
    "Anything else is answered as `INTERNAL_SERVER_ERROR` with the message `Internal server error`;",
    "the original is logged with the request id (the `x-request-id` response header), never sent.",
    "",
  ].join("\n");
}
