import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listen } from "@pokewatch/kit";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
// The gateway's own modules: bench measures them in-process (bench is not a service).
import { DEFAULT_SUPERGRAPH_PATH } from "../gateway/src/env.js";
import { createGatewayApp } from "../gateway/src/gateway-app.js";
import { readSupergraphSdl } from "../gateway/src/supergraph.js";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, timeSequential } from "./serving/load.js";

const repeat = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i)).join(" ");

/** The hostile operations of issue 14, and a plain one to compare with. */
const OPERATIONS: Record<string, string> = {
  "{ __typename } (baseline)": "{ __typename }",
  "fragment doubling, 30 levels": `{ ...F0 } ${repeat(30, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F30 on Query { __typename }`,
  "1,000 aliases of card(id)": `{ ${repeat(1_000, (i) => `a${i}: card(id: "x") { id }`)} }`,
  "55,000 aliases of __typename (1 MiB)": `{ ${repeat(55_000, (i) => `a${i}: __typename`)} }`,
  "fields nested 900 deep": `${"{ a ".repeat(900)}${"}".repeat(900)}`,
  "10,000 directives on one field": `{ __typename ${"@skip(if: false) ".repeat(10_000)}}`,
  "fragment chain of 1,000 (accepted)": `{ ...C0 } ${repeat(1_000, (i) => `fragment C${i} on Query { ...C${i + 1} }`)} fragment C1000 on Query { __typename }`,
};

/**
 * Issue 14: how fast the gateway refuses an oversized operation (target: under 50 ms), against
 * the real supergraph, with auth and limits off so only the operation's own cost shows. Before the
 * limits, the fragment-doubling query at 21 levels held the event loop 17 s.
 */
export async function operationLimitsBench(): Promise<BenchResult> {
  const times = intFromEnv("BENCH_REQUESTS", 40);
  const subgraph = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end('{"data":null}');
  });
  await new Promise<void>((resolve) => subgraph.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
  const gateway = await listen(
    await createGatewayApp({
      supergraphSdl: readSupergraphSdl(DEFAULT_SUPERGRAPH_PATH),
      secret: TEST_SECRET,
      logger: silentLogger(),
      subgraphUrls: { pricing: url, keys: url, pipeline: url },
      rateLimits: { enabled: false },
    }),
    { host: "127.0.0.1", port: 0 },
  );
  try {
    const rows: BenchResult["rows"] = [];
    const targets: BenchResult["targets"] = [];
    for (const [name, query] of Object.entries(OPERATIONS)) {
      const body = JSON.stringify({ query });
      let answer = "";
      const ask = async () => {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const json = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        answer = `${response.status} ${json.errors?.[0]?.extensions?.code ?? "ok"}`;
      };
      await timeSequential(3, ask);
      const l = latencies(await timeSequential(times, ask));
      rows.push({
        operation: name,
        bodyKiB: round(body.length / 1024),
        answer,
        p50ms: round(l.p50),
        p99ms: round(l.p99),
      });
      if (answer.includes("OPERATION_LIMIT_EXCEEDED")) {
        targets.push({
          target: `${name}: refused in under 50 ms (p99)`,
          measured: `${round(l.p99)} ms`,
          met: l.p99 < 50,
        });
      }
    }
    return {
      name: "operation-limits",
      command: "pnpm bench operation-limits",
      settings: { requestsEach: times, limits: "defaults", auth: "off", rateLimits: "off" },
      rows,
      targets,
    };
  } finally {
    await gateway.close();
    await new Promise((resolve) => subgraph.close(resolve));
  }
}
