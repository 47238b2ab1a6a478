import {
  checkSubgraphSecrets,
  databaseEnvShape,
  envFields,
  isWellFormedApiKeySecret,
  serviceEnvShape,
} from "@pokewatch/kit";
import { z } from "zod";
import { MAX_RATE_LIMIT_PER_MINUTE } from "./keys/api-key-input.js";

const requestsPerMinute = (fallback: number) =>
  z.coerce
    .number()
    .int("must be a whole number of requests per minute")
    .min(1, "must be at least 1")
    .max(MAX_RATE_LIMIT_PER_MINUTE, `must be at most ${MAX_RATE_LIMIT_PER_MINUTE}`)
    .default(fallback);

export const keysEnvSchema = z
  .object({
    ...serviceEnvShape,
    ...databaseEnvShape,
    KEYS_PORT: envFields.port(4002),
    /** This subgraph's own signing secret, so that no other subgraph's can sign for it; SUBGRAPH_SECRET when unset. */
    SUBGRAPH_SECRET_KEYS: envFields.optionalSecret(),
    /** Accepted besides the current secret while it is rotated (docs/security.md); never signed with. */
    SUBGRAPH_SECRET_KEYS_PREVIOUS: envFields.optionalSecret(),
    /** The same for the shared SUBGRAPH_SECRET, when this subgraph has no secret of its own. */
    SUBGRAPH_SECRET_PREVIOUS: envFields.optionalSecret(),
    /** When set, an active key with this secret and every scope is guaranteed at start-up. */
    POKEWATCH_ADMIN_KEY: z
      .string()
      .refine(isWellFormedApiKeySecret, {
        message:
          "must be a PokeWatch API key (pw_live_ or pw_test_, 32 random characters and a 6-character checksum); generate one with `pnpm keys secret`",
      })
      .optional(),
    /** Requests per minute of a key created without its own `rateLimitPerMinute`. */
    RATE_LIMIT_RPM: requestsPerMinute(60),
    /**
     * Requests per minute of the admin key (POKEWATCH_ADMIN_KEY, or the local one `pnpm start`
     * creates). A key never hands out more than it has, so this is also the highest rate any key
     * can be given through the API.
     */
    ADMIN_RATE_LIMIT_RPM: requestsPerMinute(MAX_RATE_LIMIT_PER_MINUTE),
  })
  .superRefine(checkSubgraphSecrets(["keys"]));

export type KeysEnv = z.infer<typeof keysEnvSchema>;
