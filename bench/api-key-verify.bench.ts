import { createApiKeyStore, createKeysApp, keysMigrations } from "@pokewatch/keys";
import { hashApiKeySecret, listen, runMigrations } from "@pokewatch/kit";
import { TEST_SECRET, createIsolatedPostgres, silentLogger } from "@pokewatch/kit/testing";
// The gateway's own modules: bench measures them in-process (bench is not a service).
import { createApiKeyVerifier } from "../gateway/src/auth/api-key-verifier.js";
import { createKeysServiceClient } from "../gateway/src/auth/keys-service-client.js";
import { WHOAMI_QUERY, startIdentityProbe } from "../gateway/src/auth/testing/identity-probe.js";
import { createGatewayApp } from "../gateway/src/gateway-app.js";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { latencies, runClients, timeSequential } from "./serving/load.js";

/** Per-call wall time in µs of `times` sequential awaited calls. */
async function microseconds(times: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples = new Array<number>(times);
  for (let i = 0; i < times; i += 1) {
    const started = process.hrtime.bigint();
    await call(i);
    samples[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  return samples;
}

/**
 * Issue 5: what API-key auth costs at the gateway. A cached verification (SHA-256 + LRU lookup),
 * an uncached one through the keys service (HTTP, then a PostgreSQL lookup), and gateway
 * throughput with auth on and off against a one-field subgraph.
 */
export async function apiKeyVerifyBench(): Promise<BenchResult> {
  const cachedCalls = intFromEnv("BENCH_CACHED_CALLS", 100_000);
  const uncachedCalls = intFromEnv("BENCH_UNCACHED_CALLS", 2_000);
  const requests = intFromEnv("BENCH_REQUESTS", 5_000);
  const clients = intFromEnv("BENCH_CLIENTS", 32);

  const pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "keys", keysMigrations());
  const store = createApiKeyStore(pg.db);
  const keys = await listen(await createKeysApp({ db: pg.db, secret: TEST_SECRET, logger: silentLogger() }), {
    host: "127.0.0.1",
    port: 0,
  });
  const probe = await startIdentityProbe(TEST_SECRET, silentLogger());
  // Rate limits off on both: this measures authentication alone (`pnpm bench rate-limits` measures the limits).
  const common = {
    supergraphSdl: probe.supergraphSdl,
    secret: TEST_SECRET,
    logger: silentLogger(),
    rateLimits: { enabled: false },
  };
  const subgraphUrls = { probe: probe.url };
  const on = await listen(
    await createGatewayApp({ ...common, subgraphUrls, auth: { enabled: true, keysUrl: keys.url } }),
    { host: "127.0.0.1", port: 0 },
  );
  const off = await listen(await createGatewayApp({ ...common, subgraphUrls, auth: { enabled: false } }), {
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const client = createKeysServiceClient({ url: keys.url, secret: TEST_SECRET });
    // Cached: the first call asks the keys service; every later one is a hit.
    const { secret } = await store.create({ name: "bench cached", scopes: ["prices:read"] });
    const cachedVerifier = createApiKeyVerifier({ client });
    await microseconds(10_000, () => cachedVerifier.verify(secret));
    const hashOnly = await microseconds(cachedCalls, () => Promise.resolve(hashApiKeySecret(secret)));
    const cached = await microseconds(cachedCalls, () => cachedVerifier.verify(secret));

    // Uncached: every secret is new, so each call is one signed POST to the keys service.
    const missVerifier = createApiKeyVerifier({ client });
    const secrets: string[] = [];
    for (let i = 0; i < uncachedCalls + 200; i += 1) {
      secrets.push((await store.create({ name: `bench ${i}`, scopes: ["prices:read"] })).secret);
    }
    await timeSequential(200, (i) => missVerifier.verify(secrets[uncachedCalls + i]!).then(() => undefined));
    const uncached = await microseconds(uncachedCalls, (i) => missVerifier.verify(secrets[i]!));

    const { secret: gatewaySecret } = await store.create({ name: "bench gateway", scopes: ["prices:read"] });
    const body = JSON.stringify({ query: WHOAMI_QUERY });
    const ask = (url: string, headers: Record<string, string>) => async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      const answer = (await response.json()) as { errors?: unknown };
      if (!response.ok || answer.errors) throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
    };
    const askOn = ask(`${on.url}/graphql`, { "x-api-key": gatewaySecret });
    const askOff = ask(`${off.url}/graphql`, {});
    await runClients(clients, 1_000, askOn);
    await runClients(clients, 1_000, askOff);
    // Interleaved halves, so neither side gets all the warm (or throttled) minutes.
    const runs = {
      on: [] as Awaited<ReturnType<typeof runClients>>[],
      off: [] as Awaited<ReturnType<typeof runClients>>[],
    };
    for (let half = 0; half < 2; half += 1) {
      runs.off.push(await runClients(clients, requests / 2, askOff));
      runs.on.push(await runClients(clients, requests / 2, askOn));
    }
    const throughput = (name: string, parts: Awaited<ReturnType<typeof runClients>>[]) => {
      const samples = parts.flatMap((part) => part.samples);
      const wallMs = parts.reduce((sum, part) => sum + part.wallMs, 0);
      const l = latencies(samples);
      return {
        case: name,
        calls: l.n,
        perSecond: Math.round((l.n / wallMs) * 1000),
        p50: `${round(l.p50, 2)} ms`,
        p99: `${round(l.p99, 2)} ms`,
      };
    };
    const verifyRow = (name: string, values: number[]) => {
      const l = latencies(values);
      return {
        case: name,
        calls: l.n,
        perSecond: Math.round(1e6 / l.mean),
        p50: `${round(l.p50, 2)} µs`,
        p99: `${round(l.p99, 2)} µs`,
      };
    };
    const cachedStats = latencies(cached);
    const onRow = throughput(`gateway, auth on (${clients} clients, cached key)`, runs.on);
    const offRow = throughput(`gateway, auth off (${clients} clients)`, runs.off);
    return {
      name: "api-key-verify",
      command: `BENCH_CACHED_CALLS=${cachedCalls} BENCH_REQUESTS=${requests} pnpm bench api-key-verify`,
      settings: {
        cachedCalls,
        uncachedCalls,
        requests,
        clients,
        keysService: "the keys subgraph on PostgreSQL (127.0.0.1), same process as the gateway",
      },
      rows: [
        verifyRow("sha256 of the secret alone", hashOnly),
        verifyRow("verify, cached (hash + LRU hit)", cached),
        verifyRow("verify, uncached through the keys service (HTTP + PostgreSQL)", uncached),
        onRow,
        offRow,
      ],
      targets: [
        {
          target: "cached verification p99 < 50 µs",
          measured: `${round(cachedStats.p99, 2)} µs`,
          met: cachedStats.p99 < 50,
        },
      ],
    };
  } finally {
    await on.close();
    await off.close();
    await probe.close();
    await keys.close();
    await pg.drop();
  }
}
