import { createApiKeyStore, createKeysApp, keysMigrations } from "@pokewatch/keys";
import { listen, openRedis, runMigrations } from "@pokewatch/kit";
import { TEST_REDIS_URL, TEST_SECRET, createIsolatedPostgres, silentLogger } from "@pokewatch/kit/testing";
// The gateway's own modules: bench measures them in-process (bench is not a service).
import { createGatewayApp } from "../gateway/src/gateway-app.js";
import { startLimitsProbe } from "../gateway/src/rate-limits/testing/limits-probe.js";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, runClients } from "./serving/load.js";

/** Touches the key's quota (one point) and one `@rateLimit` field with room to spare. */
const QUERY = "{ whoami { keyId } roomy }";

/**
 * Issue 6: what the limits cost at the gateway. Two gateways in this process over the same
 * subgraph, both with auth on against the real keys service and the same cached key, both on the
 * same Redis: one counting the key's quota (Lua token bucket) and a `@rateLimit` field
 * (rate-limiter-flexible) in Redis on every request, one with limits off.
 */
export async function rateLimitsBench(): Promise<BenchResult> {
  const requests = intFromEnv("BENCH_REQUESTS", 6_000);
  const clients = intFromEnv("BENCH_CLIENTS", 32);

  const pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "keys", keysMigrations());
  const store = createApiKeyStore(pg.db);
  const logger = silentLogger();
  const redis = await openRedis(TEST_REDIS_URL, logger);
  const keys = await listen(await createKeysApp({ db: pg.db, secret: TEST_SECRET, logger }), {
    host: "127.0.0.1",
    port: 0,
  });
  const probe = await startLimitsProbe(TEST_SECRET, logger);
  const gateway = (enabled: boolean) =>
    createGatewayApp({
      supergraphSdl: probe.supergraphSdl,
      secret: TEST_SECRET,
      logger,
      subgraphUrls: { probe: probe.url },
      auth: { enabled: true, keysUrl: keys.url, redis },
      rateLimits: { enabled, redis },
    });
  const on = await listen(await gateway(true), { host: "127.0.0.1", port: 0 });
  const off = await listen(await gateway(false), { host: "127.0.0.1", port: 0 });
  try {
    const { secret } = await store.create({ name: "bench", scopes: ["prices:read"], rateLimitPerMinute: 100_000 });
    const body = JSON.stringify({ query: QUERY });
    const ask = (url: string) => async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": secret },
        body,
      });
      const answer = (await response.json()) as { errors?: unknown };
      if (!response.ok || answer.errors) throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
    };
    const askOn = ask(`${on.url}/graphql`);
    const askOff = ask(`${off.url}/graphql`);
    await runClients(clients, 1_000, askOn);
    await runClients(clients, 1_000, askOff);
    // Interleaved quarters, so neither side gets all the warm (or throttled) minutes.
    const runs = {
      on: [] as Awaited<ReturnType<typeof runClients>>[],
      off: [] as Awaited<ReturnType<typeof runClients>>[],
    };
    for (let quarter = 0; quarter < 4; quarter += 1) {
      runs.off.push(await runClients(clients, requests / 4, askOff));
      runs.on.push(await runClients(clients, requests / 4, askOn));
    }
    // One client, one request at a time: what the limits add to a single call's latency.
    const sequential = intFromEnv("BENCH_SEQUENTIAL", 1_000);
    const single = { on: [] as number[], off: [] as number[] };
    for (let half = 0; half < 2; half += 1) {
      single.off.push(...(await runClients(1, sequential / 2, askOff)).samples);
      single.on.push(...(await runClients(1, sequential / 2, askOn)).samples);
    }
    const summary = (parts: Awaited<ReturnType<typeof runClients>>[]) => {
      const samples = parts.flatMap((part) => part.samples);
      const wallMs = parts.reduce((sum, part) => sum + part.wallMs, 0);
      return { l: latencies(samples), perSecond: Math.round((samples.length / wallMs) * 1000) };
    };
    const [withLimits, without] = [summary(runs.on), summary(runs.off)];
    const row = (name: string, { l, perSecond }: typeof withLimits) => ({
      case: name,
      calls: l.n,
      perSecond,
      p50: `${round(l.p50, 2)} ms`,
      p99: `${round(l.p99, 2)} ms`,
    });
    const overheadP50 = (withLimits.l.p50 / without.l.p50 - 1) * 100;
    const [singleOn, singleOff] = [latencies(single.on), latencies(single.off)];
    const singleRow = (name: string, l: typeof singleOn) => ({
      case: name,
      calls: l.n,
      perSecond: Math.round(1000 / l.mean),
      p50: `${round(l.p50, 2)} ms`,
      p99: `${round(l.p99, 2)} ms`,
    });
    return {
      name: "rate-limits",
      command: `BENCH_REQUESTS=${requests} BENCH_CLIENTS=${clients} BENCH_SEQUENTIAL=${sequential} pnpm bench rate-limits`,
      settings: { requests, clients, sequential, redis: TEST_REDIS_URL, query: QUERY },
      rows: [
        row(`gateway, limits on: quota + 1 field limit in Redis (${clients} clients)`, withLimits),
        row(`gateway, limits off (${clients} clients)`, without),
        {
          case: `limits on / off (${clients} clients)`,
          calls: "",
          perSecond: `${round(withLimits.perSecond / without.perSecond, 3)}×`,
          p50: `${round(withLimits.l.p50 / without.l.p50, 3)}×`,
          p99: `${round(withLimits.l.p99 / without.l.p99, 3)}×`,
        },
        singleRow("gateway, limits on (1 client, sequential)", singleOn),
        singleRow("gateway, limits off (1 client, sequential)", singleOff),
        {
          case: "limits on − off (1 client)",
          calls: "",
          perSecond: "",
          p50: `+${round(singleOn.p50 - singleOff.p50, 2)} ms`,
          p99: `+${round(singleOn.p99 - singleOff.p99, 2)} ms`,
        },
      ],
      targets: [
        {
          target: `overhead of the limits at p50 ≤ 10 % (${clients} clients)`,
          measured: `${round(overheadP50, 1)} %`,
          met: overheadP50 <= 10,
        },
      ],
    };
  } finally {
    await on.close();
    await off.close();
    await probe.close();
    await keys.close();
    redis?.disconnect();
    await pg.drop();
  }
}
