import { envFields, serviceEnvShape } from "@pokewatch/kit";
import { z } from "zod";

export const keysEnvSchema = z.object({
  ...serviceEnvShape,
  KEYS_PORT: envFields.port(4002),
});

export type KeysEnv = z.infer<typeof keysEnvSchema>;
