import { envFields, serviceEnvShape } from "@pokewatch/kit";
import { z } from "zod";

export const pricingEnvSchema = z.object({
  ...serviceEnvShape,
  PRICING_PORT: envFields.port(4001),
});

export type PricingEnv = z.infer<typeof pricingEnvSchema>;
