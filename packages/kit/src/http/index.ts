export {
  DEFAULT_HTTP_LIMITS,
  applyHttpLimits,
  createHttpApp,
  isDraining,
  listen,
  type CreateHttpAppOptions,
  type HttpLimits,
  type ListenOptions,
  type RunningServer,
} from "./http-app.js";
export { registerHealthRoutes, type ReadinessCheck } from "./health-routes.js";
export {
  createSubgraphApp,
  registerSignedRoute,
  type CreateSubgraphAppOptions,
  type SignedRouteOptions,
  type ServiceAppOptions,
  type SubgraphContext,
} from "./subgraph-server.js";
export { databaseReadiness, redisReadiness } from "./readiness-checks.js";
