export { createGatewayApp, type CreateGatewayAppOptions, type GatewayRateLimitOptions } from "./gateway-app.js";
export { gatewayEnvSchema, subgraphUrlOverrides, DEFAULT_SUPERGRAPH_PATH, type GatewayEnv } from "./env.js";
export { readSupergraphSdl } from "./supergraph.js";
