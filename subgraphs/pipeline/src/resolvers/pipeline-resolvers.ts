import { DateScalar, DateTimeScalar } from "@pokewatch/kit";
import { healthResolvers } from "./health-resolvers.js";
import { modelResolvers } from "./model-resolvers.js";
import { mutationResolvers } from "./mutation-resolvers.js";
import { runResolvers } from "./run-resolvers.js";

/** Every resolver of the pipeline subgraph, one file per part of the schema. */
export const pipelineResolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  ...runResolvers,
  ...modelResolvers,
  ...healthResolvers,
  ...mutationResolvers,
  Query: { ...runResolvers.Query, ...modelResolvers.Query, ...healthResolvers.Query },
};
