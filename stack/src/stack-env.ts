import { gatewayEnvSchema } from "@pokewatch/gateway";
import { keysEnvSchema } from "@pokewatch/keys";
import { envFields } from "@pokewatch/kit";
import { pipelineEnvSchema } from "@pokewatch/pipeline";
import { pricingEnvSchema } from "@pokewatch/pricing";
import { z } from "zod";

/** Every service's variables at once; in one process the subgraph secret may be left to chance. */
export const stackEnvSchema = z.object({
  ...pricingEnvSchema.shape,
  ...keysEnvSchema.shape,
  ...pipelineEnvSchema.shape,
  ...gatewayEnvSchema.shape,
  SUBGRAPH_SECRET: envFields.secret().optional(),
});

export type StackEnv = z.infer<typeof stackEnvSchema>;
