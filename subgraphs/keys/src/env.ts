import { commonEnvShape, envFields } from "@pokewatch/kit";
import { z } from "zod";

export const keysEnvSchema = z.object({
  ...commonEnvShape,
  KEYS_PORT: envFields.port(4002),
  SUBGRAPH_SECRET: envFields.secret(),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
});

export type KeysEnv = z.infer<typeof keysEnvSchema>;
