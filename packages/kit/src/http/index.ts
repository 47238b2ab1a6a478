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
export {
  READY_CACHE_MS,
  registerHealthRoutes,
  type HealthRoutesOptions,
  type ReadinessCheck,
} from "./health-routes.js";
export { addMetricsRegistry, metricsRegistriesOf } from "./http-metrics.js";
export { renderMetrics, serveMetrics, type ServeMetricsOptions } from "./metrics-server.js";
export { API_CSP, HSTS_MAX_AGE_SECONDS, cspDirectives, type SecurityHeadersOptions } from "./security-headers.js";
export {
  createSubgraphApp,
  registerSignedRoute,
  type CreateSubgraphAppOptions,
  type SignedRouteOptions,
  type ServiceAppOptions,
  type SubgraphContext,
} from "./subgraph-server.js";
export { databaseReadiness, redisReadiness } from "./readiness-checks.js";
