import { randomUUID } from "node:crypto";
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import {
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
  anonymousIdentity,
  encodeIdentity,
  pokewatchError,
  signEncodedIdentity,
  type Logger,
} from "@pokewatch/kit";
import type { GraphQLError } from "graphql";
import type { GatewayContext } from "./context.js";

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>["process"]>>;

export interface SignedDataSourceOptions {
  /** The subgraph's name in the supergraph; also the signature's audience. */
  name: string;
  url: string;
  /** This subgraph's current secret (SUBGRAPH_SECRET_<NAME>, else SUBGRAPH_SECRET): the only one signed with. */
  secret: string;
  logger: Logger;
  /** Longest wait for one subgraph answer, headers and body (SUBGRAPH_TIMEOUT_MS). @default 10_000 */
  timeoutMs?: number;
}

export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

interface FailedResponse {
  status: number;
  body: unknown;
}

function failedResponseOf(error: unknown): FailedResponse | undefined {
  const response = (error as GraphQLError | undefined)?.extensions?.response as FailedResponse | undefined;
  return typeof response?.status === "number" ? response : undefined;
}

function graphQLErrorsIn(body: unknown): unknown[] | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors : undefined;
}

/** An AbortSignal.timeout firing, as fetch (or reading its body) reports it, possibly wrapped by Apollo. */
function isTimeout(error: unknown): boolean {
  let current = error as { name?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (current.name === "TimeoutError") return true;
    current = (current.originalError ?? current.cause) as typeof current;
  }
  return false;
}

/**
 * Sends each subgraph request signed for that subgraph (identity, method, path, the exact body and
 * the time, under that subgraph's secret), and turns transport failures into errors a client can act on.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly name: string;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor({ name, url, secret, logger, timeoutMs = DEFAULT_SUBGRAPH_TIMEOUT_MS }: SignedDataSourceOptions) {
    // Node's own fetch (undici) instead of Apollo's default make-fetch-happen, whose per-request
    // agent and header handling cost about a quarter of the gateway's CPU (`pnpm bench fair-price-zipf`).
    super({ url, fetcher: fetch as unknown as RemoteGraphQLDataSource["fetcher"] });
    this.name = name;
    this.log = logger;
    this.timeoutMs = timeoutMs;
    // Signing happens at fetch time: only there is the serialised body known.
    const send = this.fetcher;
    this.fetcher = (target, init = {}) => {
      const headers = { ...(init.headers as Record<string, string>) };
      const encoded = headers[IDENTITY_HEADER] ?? encodeIdentity(anonymousIdentity(randomUUID()));
      const { pathname, search } = new URL(String(target));
      const signed = signEncodedIdentity(encoded, secret, {
        audience: name,
        method: init.method ?? "GET",
        path: pathname + search,
        body: String(init.body ?? ""),
      });
      // One bound per attempt, over the headers and the body (Apollo reads the body under the same signal).
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal as AbortSignal, timeout]) : timeout;
      return send(target, { ...init, signal, headers: { ...headers, [IDENTITY_HEADER]: encoded, ...signed } });
    };
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Gateway-internal requests (health checks) carry no request context.
    const identity = (context as Partial<GatewayContext>).identity ?? anonymousIdentity(randomUUID());
    request.http?.headers.set(IDENTITY_HEADER, encodeIdentity(identity));
    request.http?.headers.set(REQUEST_ID_HEADER, identity.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const failed = failedResponseOf(error);
      const errors = failed && failed.status < 500 && failed.status !== 401 ? graphQLErrorsIn(failed.body) : undefined;
      // A 4xx with GraphQL errors (validation, bad input) is an answer about the request: pass it on,
      // so the gateway tags each error with this subgraph's name.
      if (errors) return { errors } as SubgraphResponse;
      const timedOut = !failed && isTimeout(error);
      this.log.error(
        { subgraph: this.name, status: failed?.status, err: failed || timedOut ? undefined : error },
        failed?.status === 401
          ? `subgraph refused the gateway's signature: check SUBGRAPH_SECRET_${this.name.toUpperCase()} (or SUBGRAPH_SECRET) on both sides`
          : timedOut
            ? `subgraph did not answer within ${this.timeoutMs} ms (SUBGRAPH_TIMEOUT_MS)`
            : "subgraph did not answer",
      );
      throw pokewatchError("SERVICE_UNAVAILABLE", `The ${this.name} service is unavailable; retrying later is safe`, {
        extensions: { serviceName: this.name },
      });
    }
  }
}
