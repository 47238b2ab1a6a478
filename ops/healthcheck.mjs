/* global process, fetch, AbortSignal -- Node.js globals: this file runs as plain JavaScript in the image. */
// The image's HEALTHCHECK (and compose's): exit 0 when this container's service answers PATH
// (default /health) on its public port, 1 otherwise. Plain JavaScript: the image has no curl.
//   node /app/healthcheck.mjs [/ready]
// The port is HEALTH_PORT, else the one service port set in the environment, else the gateway's 4000.
const names = ["HEALTH_PORT", "GATEWAY_PORT", "PRICING_PORT", "KEYS_PORT", "PIPELINE_PORT"];
const port = names.map((name) => process.env[name]).find(Boolean) ?? "4000";
const path = process.argv[2] ?? "/health";

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
