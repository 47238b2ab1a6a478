import { gatewayEnvSchema } from "@pokewatch/gateway";
import { keysEnvSchema } from "@pokewatch/keys";
import { SUBGRAPH_NAMES, checkSubgraphSecrets, envFields } from "@pokewatch/kit";
import { pipelineEnvSchema } from "@pokewatch/pipeline";
import { pricingEnvSchema } from "@pokewatch/pricing";
import { z } from "zod";

/**
 * Every service's variables at once; in one process the subgraph secrets may be left to chance
 * (each subgraph then gets a random secret of its own).
 */
export const stackEnvSchema = z
  .object({
    ...pricingEnvSchema.shape,
    ...keysEnvSchema.shape,
    ...pipelineEnvSchema.shape,
    ...gatewayEnvSchema.shape,
    SUBGRAPH_SECRET: envFields.secret().optional(),
  })
  .superRefine(checkSubgraphSecrets(SUBGRAPH_NAMES, { required: false }));

export type StackEnv = z.infer<typeof stackEnvSchema>;
