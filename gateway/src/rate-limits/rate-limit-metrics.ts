import { Counter, Registry } from "prom-client";

/**
 * The gateway's rate-limit instruments, on a registry of its own (two gateways in one process
 * never share counts); the gateway serves it at `GET /metrics`.
 */
export interface RateLimitMetrics {
  registry: Registry;
  /** Refused, by what refused them: `quota`, `field`, `cost` (over the bucket) or `auth-failures` (the client address). */
  refused: Counter<"limit">;
  /** Redis calls that failed, so the in-process insurance limiter answered, by limiter (quota, field, auth-failures). */
  redisErrors: Counter<"limiter">;
}

export function createRateLimitMetrics(): RateLimitMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    refused: new Counter({
      name: "pokewatch_rate_limited_total",
      help: "Requests refused by a rate limit, by limit (quota, field, cost, auth-failures).",
      labelNames: ["limit"],
      registers,
    }),
    redisErrors: new Counter({
      name: "pokewatch_rate_limit_redis_errors_total",
      help: "Rate-limit Redis calls that failed and were answered by the in-process insurance limiter.",
      labelNames: ["limiter"],
      registers,
    }),
  };
}
