import { commonEnvShape, envFields } from "@pokewatch/kit";
import { z } from "zod";

export const pricingEnvSchema = z.object({
  ...commonEnvShape,
  PRICING_PORT: envFields.port(4001),
  SUBGRAPH_SECRET: envFields.secret(),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
});

export type PricingEnv = z.infer<typeof pricingEnvSchema>;
