import { createHash } from "node:crypto";
import type { Logger, Redis } from "@pokewatch/kit";
import { LRUCache } from "lru-cache";
import {
  assertQuotaArguments,
  quotaCapacity,
  refundTokens,
  takeTokens,
  type BucketState,
  type QuotaDecision,
  type QuotaPolicy,
} from "./token-bucket.js";

export type { QuotaDecision, QuotaPolicy } from "./token-bucket.js";

/** Per-API-key token buckets, shared by every gateway replica when Redis is there. */
export interface KeyQuota {
  take(keyId: string, cost: number, policy: QuotaPolicy): Promise<QuotaDecision>;
  /** Gives back tokens an operation took but did not use (it was rejected later), capped at capacity. */
  refund(keyId: string, cost: number, policy: QuotaPolicy): Promise<void>;
  /** "redis" normally; "insurance" while Redis is failing; "memory" without Redis. */
  readonly mode: () => "redis" | "insurance" | "memory";
}

export interface KeyQuotaOptions {
  /** Shared ioredis client (created with enableOfflineQueue: false, maxRetriesPerRequest: 1). Without it, buckets live in process. */
  redis?: Redis | undefined;
  logger: Logger;
  /** @default Date.now — used by the in-process buckets (and the insurance ones), and to date Redis' `resetAtMs`. */
  clock?: () => number;
  /** @default "pokewatch:quota:" */
  keyPrefix?: string;
  /** How long a Redis call may take before the insurance bucket answers instead. @default 100 */
  redisTimeoutMs?: number;
  /** Called once per Redis failure that fell back to insurance (the caller counts it in a metric). */
  onRedisError?: (error: unknown) => void;
  /** In-process buckets kept (LRU); an evicted bucket starts full again. @default 100_000 */
  maxLocalBuckets?: number;
  /** What the log lines call these buckets. @default "key quota" */
  name?: string;
}

/**
 * The token bucket of token-bucket.ts, atomically, on the hash {tokens, ts} at KEYS[1].
 * ARGV: cost (negative gives tokens back), perMinute, burst. Returns {allowed 0|1, whole tokens
 * left, ms until full, ms until `cost` tokens (-1: never)}: integers, as Redis truncates Lua numbers.
 */
export const QUOTA_LUA = `
local cost = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
local capacity = per_minute + tonumber(ARGV[3])
-- Keep tokens and ms to a millionth, as token-bucket.ts does, so tostring() below stays exact.
local function snap(x) return math.floor(x * 1e6 + 0.5) / 1e6 end
local function ms_to_refill(tokens) return math.ceil(snap(tokens * 60000 / per_minute)) end
-- Redis' clock in whole ms, so replicas with skewed clocks share one timeline.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
-- No hash (new, or expired) is a full bucket; otherwise refill since ts, capped at capacity.
local tokens, ts = capacity, now
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
if stored[1] and stored[2] then
  local elapsed = math.max(0, now - tonumber(stored[2]))
  tokens = snap(math.min(capacity, tonumber(stored[1]) + elapsed * per_minute / 60000))
  -- A clock that steps back (failover) must not refill the same interval twice.
  ts = math.max(now, tonumber(stored[2]))
end
-- More than the bucket can ever hold: refuse for good.
if cost > capacity then
  return {0, math.floor(tokens), ms_to_refill(capacity - tokens), -1}
end
-- Short: take nothing, and say when cost tokens will be there.
if tokens < cost then
  return {0, math.floor(tokens), ms_to_refill(capacity - tokens), ms_to_refill(cost - tokens)}
end
-- Take (or give back, capped at capacity); a cost of 0 only reads.
if cost ~= 0 then
  tokens = math.min(capacity, tokens - cost)
  local full_in = ms_to_refill(capacity - tokens)
  if full_in == 0 then
    -- Full is the same as no key.
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
    -- Idle keys vanish a second after they would be full again.
    redis.call('PEXPIRE', KEYS[1], full_in + 1000)
  end
end
return {1, math.floor(tokens), ms_to_refill(capacity - tokens), 0}
`;
const QUOTA_LUA_SHA = createHash("sha1").update(QUOTA_LUA).digest("hex");
type QuotaReply = [allowed: number, remaining: number, fullInMs: number, retryAfterMs: number];

/** Runs QUOTA_LUA by hash, sending the script itself only when this Redis has not seen it yet. */
async function runQuotaScript(redis: Redis, key: string, cost: number, policy: QuotaPolicy): Promise<QuotaReply> {
  const args = [key, String(cost), String(policy.perMinute), String(policy.burst)];
  let reply: unknown;
  try {
    reply = await redis.evalsha(QUOTA_LUA_SHA, 1, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    reply = await redis.eval(QUOTA_LUA, 1, ...args);
  }
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((n) => typeof n === "number")) {
    throw new Error("quota script returned an unexpected reply");
  }
  return reply as QuotaReply;
}

/** One take through QUOTA_LUA; Redis' "ms until full" is dated on this process' clock. */
async function takeViaRedis(
  redis: Redis,
  key: string,
  cost: number,
  policy: QuotaPolicy,
  clock: () => number,
): Promise<QuotaDecision> {
  const [allowed, remaining, fullInMs, retryAfterMs] = await runQuotaScript(redis, key, cost, policy);
  return {
    allowed: allowed === 1,
    limit: quotaCapacity(policy),
    remaining,
    resetAtMs: clock() + fullInMs,
    retryAfterMs: retryAfterMs === -1 ? Infinity : retryAfterMs,
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Buckets in this process: the store without Redis, and the insurance while Redis fails. */
function createLocalBuckets(maxBuckets: number, clock: () => number) {
  const buckets = new LRUCache<string, BucketState>({ max: maxBuckets });
  return {
    take(keyId: string, cost: number, policy: QuotaPolicy): QuotaDecision {
      const { state, decision } = takeTokens(buckets.get(keyId), { nowMs: clock(), cost, policy });
      buckets.set(keyId, state);
      return decision;
    },
    refund(keyId: string, cost: number, policy: QuotaPolicy): void {
      assertQuotaArguments(cost, policy);
      const state = buckets.get(keyId);
      // No bucket is a full one: nothing to give back to.
      if (state) buckets.set(keyId, refundTokens(state, { nowMs: clock(), cost, policy }));
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new RangeError(`${name} must be an integer above 0; got ${value}`);
}

/**
 * The per-key quota store. With Redis, one atomic script per call meters a bucket every replica
 * shares; when Redis throws or is slower than `redisTimeoutMs`, an in-process bucket with the same
 * policy answers instead, so limiting goes on per replica (never a 5xx, never unlimited) and Redis
 * is tried again on the next call.
 */
export function createKeyQuota(options: KeyQuotaOptions): KeyQuota {
  const { redis, logger, clock = Date.now, keyPrefix = "pokewatch:quota:", onRedisError, name = "key quota" } = options;
  const redisTimeoutMs = positiveInteger("redisTimeoutMs", options.redisTimeoutMs ?? 100);
  const local = createLocalBuckets(positiveInteger("maxLocalBuckets", options.maxLocalBuckets ?? 100_000), clock);
  if (!redis) {
    return {
      // Through .then, so bad arguments reject as they do on the Redis path instead of throwing.
      take: (keyId, cost, policy) => Promise.resolve().then(() => local.take(keyId, cost, policy)),
      refund: (keyId, cost, policy) => Promise.resolve().then(() => local.refund(keyId, cost, policy)),
      mode: () => "memory",
    };
  }

  let insurance = false;
  /** Runs `viaRedis`, or `fallback` when Redis fails; logs only the switches between the two. */
  async function orInsurance<T>(viaRedis: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      const result = await withTimeout(viaRedis(), redisTimeoutMs);
      if (insurance) logger.info(`${name}: redis answers again; counted across replicas`);
      insurance = false;
      return result;
    } catch (error) {
      onRedisError?.(error);
      if (!insurance) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ err: { message } }, `${name}: redis failing; limiting per replica from in-process buckets`);
      }
      insurance = true;
      return fallback();
    }
  }

  return {
    async take(keyId, cost, policy) {
      assertQuotaArguments(cost, policy);
      return orInsurance(
        () => takeViaRedis(redis, keyPrefix + keyId, cost, policy, clock),
        () => local.take(keyId, cost, policy),
      );
    },
    async refund(keyId, cost, policy) {
      assertQuotaArguments(cost, policy);
      if (cost === 0) return;
      await orInsurance(
        async () => void (await runQuotaScript(redis, keyPrefix + keyId, -cost, policy)),
        () => local.refund(keyId, cost, policy),
      );
    },
    mode: () => (insurance ? "insurance" : "redis"),
  };
}
