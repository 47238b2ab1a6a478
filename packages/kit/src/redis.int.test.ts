import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { connectRedis, createRedis, type Redis } from "./redis.js";
import { capturingLogger, silentLogger } from "./testing/loggers.js";
import { startTcpProxy } from "./testing/tcp-proxy.js";
import { TEST_REDIS_URL, uniqueName } from "./testing/test-infra.js";

const opened: Redis[] = [];
function open(options: Parameters<typeof createRedis>[0]): Redis {
  const client = createRedis(options);
  opened.push(client);
  return client;
}
afterEach(() => {
  while (opened.length) opened.pop()!.disconnect();
});

describe("createRedis + connectRedis", () => {
  const prefix = `${uniqueName("kit")}:`;
  const cleanup = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  afterAll(async () => {
    if (cleanup.status === "ready") await cleanup.del(`${prefix}greeting`);
    cleanup.disconnect();
  });

  it("connects to the real Redis and prefixes every key", async () => {
    const client = open({ url: TEST_REDIS_URL, logger: silentLogger(), keyPrefix: prefix });
    expect(await connectRedis(client)).toBe(true);
    expect(await client.ping()).toBe("PONG");
    await client.set("greeting", "hello", "EX", 60);

    expect(await connectRedis(cleanup)).toBe(true);
    expect(await cleanup.get(`${prefix}greeting`)).toBe("hello");
    expect(await client.get("greeting")).toBe("hello");
  });

  it("gives up on an unreachable Redis without throwing, and logs instead of crashing", async () => {
    const { logger, lines } = capturingLogger();
    const client = open({ url: "redis://127.0.0.1:1", logger });
    expect(client.listenerCount("error")).toBeGreaterThan(0);

    expect(await connectRedis(client, 1_000)).toBe(false);
    await vi.waitFor(() => expect(lines().join("\n")).toContain("redis unavailable"));
    // With no offline queue a command fails at once instead of waiting for a reconnect.
    await expect(client.get("anything")).rejects.toThrow();
  });
});

describe("createRedis timeouts", () => {
  it("fails a command that gets no reply within the command timeout", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    try {
      const client = open({ url: proxy.url, logger: silentLogger(), timeouts: { commandTimeoutMs: 200 } });
      expect(await connectRedis(client)).toBe(true);
      proxy.stall();
      const started = Date.now();
      await expect(client.ping()).rejects.toThrow(/Command timed out/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      proxy.resume();
      await proxy.dispose();
    }
  });
});
