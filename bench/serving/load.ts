/** Latency percentiles in milliseconds. */
export interface Latencies {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function latencies(samples: readonly number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), mean };
}

/** Runs `request` `times` times one after another; the wall time of each. */
export async function timeSequential(times: number, request: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await request(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** `clients` loops sending `request` until `total` requests are done; latencies and wall time. */
export async function runClients(
  clients: number,
  total: number,
  request: (i: number) => Promise<void>,
): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        samples.push(performance.now() - t0);
      }
    }),
  );
  return { samples, wallMs: performance.now() - started };
}

/**
 * Ranks 0…n-1 drawn with probability ∝ 1/(rank+1)^s (Zipf), from a seeded generator, so every
 * run asks for the same sequence of cards.
 */
export function zipfSampler(n: number, s: number, seed = 1): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cumulative[k] = sum += 1 / (k + 1) ** s;
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: enough for picking ranks.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  return () => {
    const target = random() * sum;
    let [low, high] = [0, n - 1];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/**
 * POSTs one GraphQL operation as the key `apiKey`; throws on HTTP errors and GraphQL errors so a
 * benchmark never times failures.
 */
export async function postGraphQL<T>(
  url: string,
  apiKey: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!response.ok || body.errors) {
    throw new Error(`HTTP ${response.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no body"}`);
  }
  return body.data!;
}
