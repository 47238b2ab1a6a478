export { createGatewayApp, type CreateGatewayAppOptions, type GatewayRateLimitOptions } from "./gateway-app.js";
export {
  gatewayEnvSchema,
  operationLimitsOf,
  subgraphSigningSecrets,
  subgraphUrlOverrides,
  DEFAULT_SUPERGRAPH_PATH,
  type GatewayEnv,
} from "./env.js";
export { DEFAULT_OPERATION_LIMITS, type OperationLimits } from "./operation/operation-limits.js";
export { readSupergraphSdl } from "./supergraph.js";
export { resolveCorsPolicy, type CorsPolicy } from "./http/cors.js";
export { gatewayOptionsFromEnv, type GatewayOptions } from "./gateway-options-from-env.js";
