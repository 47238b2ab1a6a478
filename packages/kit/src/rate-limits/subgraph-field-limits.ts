import { Kind, type DocumentNode, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { rateLimitDirective } from "graphql-rate-limit-directive";
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { pokewatchError } from "../errors.js";
import type { Identity } from "../identity.js";
import type { Redis } from "../redis.js";
import { FIELD_LIMIT_KEY_PREFIX, fieldLimitKey } from "./field-limit-keys.js";
import {
  RedisLimiterWithInsurance,
  type RedisHealthHooks,
  type RedisLimiterWithInsuranceOptions,
} from "./field-limiters.js";
import { rateLimitDirectiveName, type FieldLimitRule } from "./rate-limit-links.js";

export interface ApplyFieldLimitsOptions extends RedisHealthHooks {
  /** Shared Redis, so the subgraph counts in the gateway's counters. @default in-process memory */
  redis?: Redis | undefined;
  /** How long a Redis call may take before the in-memory insurance counts instead. @default 100 */
  redisTimeoutMs?: number;
}

/** What the limits read from a resolver's context: the signed identity (`SubgraphContext.identity`). */
interface FieldLimitContext {
  identity?: Pick<Identity, "keyId" | "fieldLimitsCounted">;
}

/** Federation's own entry points: the gateway calls them; the fields they reach are what is limited. */
const FEDERATION_FIELDS = new Set(["_entities", "_service"]);

/**
 * Defence in depth behind the gateway: every field with `@rateLimit` (or on its type; the field's
 * own wins) is counted per API key in the gateway's own counters (`fieldLimitKey`), unless the
 * signed identity says the gateway already counted this operation. A call over the limit fails
 * that field with RATE_LIMITED and `extensions.retryAfter` (seconds). Uses graphql-rate-limit-directive's
 * transformer under the name the schema's `@link` gives `@rateLimit`; a schema that does not link
 * it is returned as is. Returns a new schema (the transformer may also wrap resolvers of `schema`
 * in place): serve the one returned.
 */
export function applyFieldLimits(
  schema: GraphQLSchema,
  { redis, ...redisOptions }: ApplyFieldLimitsOptions = {},
): GraphQLSchema {
  const name = rateLimitDirectiveName(schemaDocumentOf(schema));
  if (name === undefined) return schema;
  const { rateLimitDirectiveTransformer } = rateLimitDirective<FieldLimitContext, RedisLimiterWithInsuranceOptions>({
    name,
    keyGenerator: (_rule, _source, _args, context, info) =>
      fieldLimitKey(context.identity?.keyId ?? null, coordinateOf(info)),
    pointsCalculator: (_rule, _source, _args, context, info) =>
      context.identity?.fieldLimitsCounted || isFederationField(info) ? 0 : 1,
    onLimit: (response, rule, _source, _args, _context, info) => {
      throw fieldLimitError(coordinateOf(info), rule, response);
    },
    limiterClass: redis ? RedisLimiterWithInsurance : RateLimiterMemory,
    limiterOptions: { keyPrefix: FIELD_LIMIT_KEY_PREFIX, storeClient: redis, ...redisOptions },
  });
  return rateLimitDirectiveTransformer(schema);
}

/** RATE_LIMITED for one field, worded as the gateway words it, with whole seconds to wait (never 0). */
function fieldLimitError(coordinate: string, rule: FieldLimitRule, response: RateLimiterRes) {
  const retryAfter = Math.max(1, Math.ceil(response.msBeforeNext / 1000));
  return pokewatchError(
    "RATE_LIMITED",
    `${coordinate} allows ${rule.limit} calls per ${rule.duration} s for each key; retry in ${retryAfter} s.`,
    { extensions: { retryAfter, field: coordinate } },
  );
}

function coordinateOf(info: GraphQLResolveInfo): string {
  return `${info.parentType.name}.${info.fieldName}`;
}

/** A `@rateLimit` on the Query type must not count the gateway's entity fetches themselves. */
function isFederationField(info: GraphQLResolveInfo): boolean {
  return FEDERATION_FIELDS.has(info.fieldName) && info.parentType === info.schema.getQueryType();
}

function schemaDocumentOf(schema: GraphQLSchema): DocumentNode {
  const definitions = [schema.astNode, ...schema.extensionASTNodes].filter(
    (node) => node !== undefined && node !== null,
  );
  return { kind: Kind.DOCUMENT, definitions };
}
