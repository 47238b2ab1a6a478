import { createFieldLimiterFactory, fieldLimitKey, type FieldLimitRule, type Logger, type Redis } from "@pokewatch/kit";
import type { RateLimiterRes } from "rate-limiter-flexible";

/** One selection of a `@rateLimit` field: one point against that field's limit. */
export interface FieldLimitCall {
  /** `Type.field` */
  coordinate: string;
  rule: FieldLimitRule;
}

/** The points an allowed operation took, to give back if something else refuses it. */
export interface FieldLimitTaken {
  readonly keyId: string | null;
  readonly calls: ReadonlyArray<FieldLimitCall>;
}

export type FieldLimitOutcome =
  | { allowed: true; taken: FieldLimitTaken }
  | {
      allowed: false;
      /** The first field, in the order given, that is over its limit. */
      coordinate: string;
      rule: FieldLimitRule;
      /** Until that field's window resets. */
      retryAfterMs: number;
    };

/** Counts a key's calls to `@rateLimit` fields, in the counters the subgraphs' own limits use. */
export interface FieldLimitCounter {
  /**
   * Takes one point per call, in order. On the first refusal it gives back every point this
   * consume took (the refused one too, so a counter only ever holds calls that were let through)
   * and says which field refused; otherwise it returns what it took.
   */
  consume(keyId: string | null, calls: ReadonlyArray<FieldLimitCall>): Promise<FieldLimitOutcome>;
  /** Gives back what an allowed `consume` took, when the operation was refused by something else. */
  refund(taken: FieldLimitTaken): Promise<void>;
}

export interface FieldLimitCounterOptions {
  /** Shared Redis, so every replica (and every subgraph) counts together. @default in-process memory */
  redis?: Redis | undefined;
  logger: Logger;
  /** How long a Redis call may take before the in-memory insurance counts instead. @default 100 */
  redisTimeoutMs?: number;
  /** Called once per Redis call that failed, so the insurance counted instead (the caller counts it in a metric). */
  onRedisError?: (error: unknown) => void;
}

/**
 * Field limits per API key, on rate-limiter-flexible: in Redis with an in-memory insurance limiter
 * when `redis` is given (a failing or stalled Redis never fails an operation, and limits go on per
 * replica), in process memory otherwise. Logs when Redis starts failing and when it answers again.
 */
export function createFieldLimitCounter(options: FieldLimitCounterOptions): FieldLimitCounter {
  const { logger, onRedisError } = options;
  let failing = false;
  const limiterFor = createFieldLimiterFactory({
    redis: options.redis,
    ...(options.redisTimeoutMs !== undefined && { redisTimeoutMs: options.redisTimeoutMs }),
    onRedisError(error) {
      onRedisError?.(error);
      if (!failing) {
        logger.warn({ err: { message: error.message } }, "field limits: redis failing; counting per replica in memory");
      }
      failing = true;
    },
    onRedisAnswer() {
      if (failing) logger.info("field limits: redis answers again; counts are shared across replicas");
      failing = false;
    },
  });

  /** Gives back one point each, never throwing: a lost refund only leaves a counter one too high. */
  async function giveBack(keyId: string | null, calls: ReadonlyArray<FieldLimitCall>): Promise<void> {
    for (const { coordinate, rule } of calls) {
      try {
        await limiterFor(rule).reward(fieldLimitKey(keyId, coordinate), 1);
      } catch (error) {
        logger.error({ err: error, field: coordinate }, "field limits: could not give a point back");
      }
    }
  }

  return {
    async consume(keyId, calls) {
      const taken: FieldLimitCall[] = [];
      for (const call of calls) {
        try {
          await limiterFor(call.rule).consume(fieldLimitKey(keyId, call.coordinate), 1);
          taken.push(call);
        } catch (rejection) {
          if (rejection instanceof Error) {
            // Only if the insurance itself failed: let the call through uncounted rather than fail the operation.
            logger.error({ err: rejection, field: call.coordinate }, "field limits: could not count a call");
            continue;
          }
          await giveBack(keyId, [...taken, call]);
          const { coordinate, rule } = call;
          return {
            allowed: false,
            coordinate,
            rule,
            retryAfterMs: Math.max(0, (rejection as RateLimiterRes).msBeforeNext),
          };
        }
      }
      return { allowed: true, taken: { keyId, calls: taken } };
    },

    refund: (taken) => giveBack(taken.keyId, taken.calls),
  };
}
