import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import type { Identity, Logger } from "@pokewatch/kit";
import type { GatewayContext } from "../context.js";
import { selectedFieldsOf } from "../operation/request-fields.js";
import type { FieldLimitCounter } from "./field-limit-counter.js";
import {
  fieldLimitRulesFromSupergraph,
  listCostRulesFromSupergraph,
  type FieldLimitRules,
  type ListCostRules,
} from "./field-limit-rules.js";
import type { KeyQuota, QuotaDecision, QuotaPolicy } from "./key-quota.js";
import { operationDemand } from "./operation-demand.js";
import { quotaHeaders, retryAfterSeconds } from "./rate-limit-headers.js";
import type { RateLimitMetrics } from "./rate-limit-metrics.js";

export interface RateLimitsPluginOptions {
  quota: KeyQuota;
  fieldLimits: FieldLimitCounter;
  /** RATE_LIMIT_BURST: points a key's bucket holds beyond one minute's quota. */
  burst: number;
  metrics: RateLimitMetrics;
  logger: Logger;
  /** @default Date.now */
  clock?: () => number;
}

interface RefusalError {
  message: string;
  extensions: Record<string, unknown>;
}

/**
 * Enforces, before the query plan runs, the calling key's quota (a token bucket of
 * `rateLimitPerMinute` + burst points; an operation costs its `@listCost` list sizes) and the
 * `@rateLimit` field limits read from the supergraph SDL on every schema load. A refused operation
 * is answered here — 429 RATE_LIMITED with `Retry-After` and `extensions.retryAfter` — so no
 * subgraph is called, and points it already took are given back. It runs in `responseForOperation`,
 * after every plugin's `didResolveOperation` (the scope check) has passed, and answers with a
 * response rather than a throw, as Apollo Server expects. Every response to a key carries its
 * `X-RateLimit-*` and `RateLimit-*` headers.
 */
export function rateLimitsPlugin(options: RateLimitsPluginOptions): ApolloServerPlugin<GatewayContext> {
  const { quota, fieldLimits, burst, metrics, logger, clock = Date.now } = options;
  let rules: { fieldLimits: FieldLimitRules; listCosts: ListCostRules } = {
    fieldLimits: new Map(),
    listCosts: new Map(),
  };
  const policyOf = (identity: Identity): QuotaPolicy | undefined =>
    identity.keyId !== null && identity.rateLimitPerMinute !== null
      ? { perMinute: identity.rateLimitPerMinute, burst }
      : undefined;

  return {
    serverWillStart: () =>
      Promise.resolve({
        schemaDidLoadOrUpdate({ coreSupergraphSdl }) {
          if (coreSupergraphSdl === undefined) {
            logger.warn("no supergraph SDL to read @rateLimit and @listCost from: only key quotas apply");
            rules = { fieldLimits: new Map(), listCosts: new Map() };
            return;
          }
          rules = {
            fieldLimits: fieldLimitRulesFromSupergraph(coreSupergraphSdl),
            listCosts: listCostRulesFromSupergraph(coreSupergraphSdl),
          };
          logger.info(
            { limitedFields: rules.fieldLimits.size, listCostFields: rules.listCosts.size },
            "loaded @rateLimit and @listCost rules from the supergraph",
          );
        },
      }),

    requestDidStart: () => {
      let decided: { decision: QuotaDecision; policy: QuotaPolicy } | undefined;
      // What an allowed operation took from the key's quota, given back if a subgraph never answered.
      let charged: { keyId: string; cost: number; policy: QuotaPolicy } | undefined;
      return Promise.resolve({
        async responseForOperation({ schema, operation, document, request, contextValue }) {
          try {
            return await enforce();
          } catch (error) {
            // Fail closed: an operation whose cost could not be measured never runs uncounted.
            // (Apollo does not catch this hook; answered here, it is our 500, logged, not a crash.)
            contextValue.logger.error({ err: error }, "rate limits could not be applied: refused the operation");
            return refusal(500, undefined, {
              message: "Internal server error",
              extensions: { code: "INTERNAL_SERVER_ERROR", requestId: contextValue.identity.requestId },
            });
          }

          async function enforce(): Promise<GraphQLResponse | null> {
            const { identity } = contextValue;
            const selected = selectedFieldsOf({ schema, operation, document, request });
            // Bad variables: the gateway refuses them itself before planning; nothing runs.
            if (!selected) return null;
            const demand = operationDemand(selected, rules);
            const policy = policyOf(identity);
            if (policy && demand.cost > policy.perMinute + policy.burst) {
              metrics.refused.inc({ limit: "cost" });
              decided = { decision: await quota.take(identity.keyId!, 0, policy), policy };
              const limit = policy.perMinute + policy.burst;
              return refusal(400, undefined, {
                message: `This operation costs ${demand.cost} points; this key's quota holds at most ${limit}. Split it into smaller batches, or use a key with a higher rateLimitPerMinute.`,
                extensions: { code: "BAD_USER_INPUT", cost: demand.cost, limit, requestId: identity.requestId },
              });
            }

            // The quota and the field limits are asked at once (one Redis round trip of latency,
            // not two); whatever one took is given back when the other refuses.
            const [decision, fields] = await Promise.all([
              policy ? quota.take(identity.keyId!, demand.cost, policy) : undefined,
              fieldLimits.consume(identity.keyId, demand.limited),
            ]);
            if (policy && decision) decided = { decision, policy };

            if (policy && decision && !decision.allowed) {
              if (fields.allowed) await fieldLimits.refund(fields.taken);
              metrics.refused.inc({ limit: "quota" });
              const retryAfter = retryAfterSeconds(decision.retryAfterMs);
              contextValue.logger.info({ cost: demand.cost, retryAfter }, "refused an operation: key quota exhausted");
              return refusal(429, retryAfter, {
                message: `This key's quota of ${policy.perMinute} points a minute is used up (this operation costs ${demand.cost}); retry in ${retryAfter} s.`,
                extensions: { code: "RATE_LIMITED", retryAfter, requestId: identity.requestId },
              });
            }

            if (!fields.allowed) {
              metrics.refused.inc({ limit: "field" });
              if (policy) {
                // The operation does not run: its points go back, and the headers say so.
                await quota.refund(identity.keyId!, demand.cost, policy);
                decided = { decision: await quota.take(identity.keyId!, 0, policy), policy };
              }
              const { coordinate, rule } = fields;
              const retryAfter = retryAfterSeconds(fields.retryAfterMs);
              contextValue.logger.info({ field: coordinate, retryAfter }, "refused an operation: field limit reached");
              return refusal(429, retryAfter, {
                message: `${coordinate} allows ${rule.limit} calls per ${rule.duration} s for each key; retry in ${retryAfter} s.`,
                extensions: { code: "RATE_LIMITED", retryAfter, field: coordinate, requestId: identity.requestId },
              });
            }

            identity.fieldLimitsCounted = true;
            if (policy) charged = { keyId: identity.keyId!, cost: demand.cost, policy };
            if (decided) {
              identity.quota = {
                limit: decided.decision.limit,
                remaining: decided.decision.remaining,
                resetAt: new Date(decided.decision.resetAtMs).toISOString(),
              };
            }
            return null;
          }
        },

        async willSendResponse({ response, contextValue }) {
          if (charged && subgraphFailed(response.body)) {
            // A subgraph did not answer (down, or past SUBGRAPH_TIMEOUT_MS): the work was not
            // done, so its points go back, and the headers say so. Field-limit calls stay counted.
            await quota.refund(charged.keyId, charged.cost, charged.policy);
            decided = { decision: await quota.take(charged.keyId, 0, charged.policy), policy: charged.policy };
            contextValue.logger.info(
              { cost: charged.cost },
              "gave back an operation's points: a subgraph did not answer",
            );
          }
          if (!decided) {
            // Refused or failed before counting (a missing scope, a bad query): still tell the
            // caller where its quota stands.
            const policy = policyOf(contextValue.identity);
            if (!policy) return;
            decided = { decision: await quota.take(contextValue.identity.keyId!, 0, policy), policy };
          }
          for (const [name, value] of quotaHeaders(decided.decision, decided.policy, clock())) {
            response.http.headers.set(name, value);
          }
        },
      });
    },
  };
}

/** Whether any error of a response says a subgraph did not answer. */
function subgraphFailed(body: GraphQLResponse["body"]): boolean {
  if (body.kind !== "single") return false;
  return (body.singleResult.errors ?? []).some((error) => error.extensions?.code === "SERVICE_UNAVAILABLE");
}

/** A request error answered by the plugin itself: no data, one error, the status and Retry-After. */
function refusal(status: number, retryAfter: number | undefined, error: RefusalError): GraphQLResponse {
  const headers = new HeaderMap();
  if (retryAfter !== undefined) headers.set("retry-after", String(retryAfter));
  return { http: { status, headers }, body: { kind: "single", singleResult: { errors: [error] } } };
}
