import type { ReadinessCheck } from "@pokewatch/kit";

/**
 * One readiness check per subgraph: its `/health` answers. Not critical: a gateway with one subgraph
 * down still serves the fields of the others, so it should stay in the load balancer.
 */
export function subgraphReadiness(healthUrls: Record<string, string>): Record<string, ReadinessCheck> {
  const check = (url: string): ReadinessCheck => ({
    critical: false,
    check: async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_500) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  });
  return Object.fromEntries(Object.entries(healthUrls).map(([name, url]) => [name, check(url)]));
}
