import type { ReadinessCheck } from "@pokewatch/kit";

/** The longest wait for a subgraph's `/health`: under the 2 s bound of every readiness check. */
export const SUBGRAPH_PROBE_TIMEOUT_MS = 1_500;

/**
 * One readiness check per subgraph: its `/health` answers. Critical: a gateway that cannot reach a
 * subgraph is unready, so the load balancer prefers a replica that reaches them all. `/ready`
 * caches each check (at most one probe per subgraph per second, however often it is asked).
 */
export function subgraphReadiness(healthUrls: Record<string, string>): Record<string, ReadinessCheck> {
  const check = (url: string): ReadinessCheck => ({
    critical: true,
    check: async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(SUBGRAPH_PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  });
  return Object.fromEntries(Object.entries(healthUrls).map(([name, url]) => [name, check(url)]));
}
