import {
  RateLimiterMemory,
  RateLimiterRedis,
  type IRateLimiterRedisOptions,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Redis } from "../redis.js";
import { FIELD_LIMIT_KEY_PREFIX } from "./field-limit-keys.js";
import type { FieldLimitRule } from "./rate-limit-links.js";

/** How Redis is doing, as the field limiters see it on every count. */
export interface RedisHealthHooks {
  /**
   * Redis failed a count (down, erroring, or slower than `redisTimeoutMs`) and the in-memory
   * insurance limiter counted instead. Called once per failed call.
   */
  onRedisError?: (error: Error) => void;
  /** Redis answered a count. */
  onRedisAnswer?: () => void;
}

/** What a `RedisLimiterWithInsurance` takes: RateLimiterRedis's options, less the insurance it builds itself. */
export interface RedisLimiterWithInsuranceOptions
  extends Omit<IRateLimiterRedisOptions, "insuranceLimiter">, RedisHealthHooks {
  /** How long a Redis call may take before the insurance answers instead. @default 100 */
  redisTimeoutMs?: number;
}

/** The one store call every count (consume, reward, penalty) goes through; RateLimiterRedis implements it. */
type Upsert = (rlKey: string, points: number, msDuration: number, forceExpire?: boolean) => Promise<unknown>;
// `_upsert` is the method RateLimiterStoreAbstract has every store implement; the typings omit it.
const redisUpsert = (RateLimiterRedis.prototype as unknown as { _upsert: Upsert })._upsert;

/**
 * RateLimiterRedis that counts in process memory (same points and duration) whenever Redis fails
 * or stalls, so a Redis outage never fails a request and never lifts a limit, and that reports
 * each Redis failure and answer. Its constructor takes options only, so graphql-rate-limit-directive
 * can use it as its `limiterClass`.
 */
export class RedisLimiterWithInsurance extends RateLimiterRedis {
  readonly #timeoutMs: number;
  readonly #hooks: RedisHealthHooks;

  constructor({ redisTimeoutMs = 100, onRedisError, onRedisAnswer, ...options }: RedisLimiterWithInsuranceOptions) {
    const { keyPrefix, points, duration } = options;
    super({ ...options, insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }) });
    if (!(Number.isFinite(redisTimeoutMs) && redisTimeoutMs > 0)) {
      throw new RangeError(`redisTimeoutMs must be a number of ms above 0; got ${redisTimeoutMs}`);
    }
    this.#timeoutMs = redisTimeoutMs;
    this.#hooks = { onRedisError, onRedisAnswer };
  }

  /** A rejection here is what sends RateLimiterStoreAbstract to the insurance limiter. */
  async _upsert(...args: Parameters<Upsert>): Promise<unknown> {
    try {
      const result = await withTimeout(redisUpsert.apply(this, args), this.#timeoutMs);
      this.#hooks.onRedisAnswer?.();
      return result;
    } catch (error) {
      this.#hooks.onRedisError?.(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface FieldLimiterFactoryOptions extends RedisHealthHooks {
  /** Shared Redis, so every gateway and subgraph replica counts together. @default in-process memory */
  redis?: Redis | undefined;
  /** See `RedisLimiterWithInsuranceOptions.redisTimeoutMs`. @default 100 */
  redisTimeoutMs?: number;
}

/** The limiter for one `@rateLimit` rule; every rule with the same limit and duration shares one. */
export type FieldLimiterFactory = (rule: FieldLimitRule) => RateLimiterAbstract;

/**
 * Limiters for field limits, one per `limit/duration`, under `FIELD_LIMIT_KEY_PREFIX`: a Redis
 * limiter with in-memory insurance when `redis` is given, an in-memory one otherwise.
 */
export function createFieldLimiterFactory({
  redis,
  ...redisOptions
}: FieldLimiterFactoryOptions = {}): FieldLimiterFactory {
  const limiters = new Map<string, RateLimiterAbstract>();
  return (rule) => {
    const id = `${rule.limit}/${rule.duration}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: FIELD_LIMIT_KEY_PREFIX, points: rule.limit, duration: rule.duration };
      limiter = redis
        ? new RedisLimiterWithInsurance({ ...options, ...redisOptions, storeClient: redis })
        : new RateLimiterMemory(options);
      limiters.set(id, limiter);
    }
    return limiter;
  };
}
