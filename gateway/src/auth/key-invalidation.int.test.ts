import { API_KEY_CHANGED_CHANNEL, createRedis, connectRedis, encodeApiKeyChanged, type Redis } from "@pokewatch/kit";
import { TEST_REDIS_URL, silentLogger, startTcpProxy, type TcpProxy } from "@pokewatch/kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { subscribeToKeyChanges, type KeyInvalidation } from "./key-invalidation.js";

const opened: Array<Redis | KeyInvalidation | TcpProxy> = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) {
    if ("dispose" in thing) await thing.dispose();
    else if ("duplicate" in thing) thing.disconnect();
    else await thing.close();
  }
});

async function redisAt(url: string): Promise<Redis> {
  const redis = createRedis({ url, logger: silentLogger() });
  opened.push(redis);
  await connectRedis(redis);
  return redis;
}

function forgetting() {
  const forgotten: string[] = [];
  const cleared = { times: 0 };
  return {
    forgotten,
    cleared,
    verifier: {
      forgetKey: (keyId: string) => forgotten.push(keyId),
      forgetAll: () => {
        cleared.times += 1;
      },
    },
  };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe("subscribeToKeyChanges", () => {
  it("forgets a key announced on the channel, ignoring malformed messages", async () => {
    const { forgotten, verifier } = forgetting();
    const subscription = await subscribeToKeyChanges(await redisAt(TEST_REDIS_URL), verifier, silentLogger());
    opened.push(subscription);
    const publisher = await redisAt(TEST_REDIS_URL);
    await publisher.publish(API_KEY_CHANGED_CHANNEL, "not json");
    await publisher.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged("key_gone"));
    await until(() => forgotten.includes("key_gone"));
    // Other tests may announce their own keys meanwhile; the malformed message forgot nothing.
    expect(forgotten.filter((keyId) => !keyId.startsWith("key_"))).toEqual([]);
  });

  it("subscribes again after Redis comes back, dropping every cached key it may have missed news of", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    opened.push(proxy);
    const { forgotten, cleared, verifier } = forgetting();
    const subscription = await subscribeToKeyChanges(await redisAt(proxy.url), verifier, silentLogger());
    opened.push(subscription);
    const publisher = await redisAt(TEST_REDIS_URL);
    await proxy.close();
    await proxy.reopen();
    // Publish until the resubscribed connection hears one: reconnecting takes a retry or two.
    await until(() => {
      void publisher.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged("key_after"));
      return forgotten.includes("key_after");
    });
    expect(forgotten).toContain("key_after");
    expect(cleared.times).toBeGreaterThanOrEqual(1);
  });

  it("starts even when Redis is down, and subscribes once it answers", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    opened.push(proxy);
    await proxy.close();
    const { forgotten, verifier } = forgetting();
    const redis = createRedis({ url: proxy.url, logger: silentLogger() });
    opened.push(redis);
    const subscription = await subscribeToKeyChanges(redis, verifier, silentLogger());
    opened.push(subscription);
    await proxy.reopen();
    const publisher = await redisAt(TEST_REDIS_URL);
    await until(() => {
      void publisher.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged("key_late"));
      return forgotten.includes("key_late");
    });
    expect(forgotten).toContain("key_late");
  });

  it("is live once subscribed, not live from the moment Redis drops, and live again once resubscribed", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    opened.push(proxy);
    const { cleared, verifier } = forgetting();
    const subscription = await subscribeToKeyChanges(await redisAt(proxy.url), verifier, silentLogger(), {
      heartbeatMs: 200,
    });
    opened.push(subscription);
    expect(subscription.live()).toBe(true);
    // The first subscription already drops whatever was cached before it.
    expect(cleared.times).toBe(1);
    await proxy.close();
    await until(() => !subscription.live(), 1_000);
    await proxy.reopen();
    await until(() => subscription.live());
    expect(cleared.times).toBe(2);
  });

  it("notices a connection that goes silent within two heartbeats, and reconnects one silent for longer", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    opened.push(proxy);
    const { forgotten, cleared, verifier } = forgetting();
    const subscription = await subscribeToKeyChanges(await redisAt(proxy.url), verifier, silentLogger(), {
      heartbeatMs: 200,
    });
    opened.push(subscription);
    await until(() => subscription.live());
    proxy.stall();
    const stalledAt = Date.now();
    await until(() => !subscription.live(), 2_000);
    // live() is computed from the last answer, so it turns false 2 heartbeats after it, timers or not.
    expect(Date.now() - stalledAt).toBeLessThanOrEqual(2 * 200 + 250);
    // Silent past the ping's deadline: the connection is dropped and made again.
    await new Promise((done) => setTimeout(done, 3 * 200));
    proxy.resume();
    const publisher = await redisAt(TEST_REDIS_URL);
    await until(() => {
      void publisher.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged("key_after_stall"));
      return forgotten.includes("key_after_stall") && subscription.live();
    });
    expect(cleared.times).toBeGreaterThanOrEqual(2);
  });

  it("recovers from a short stall on the same connection, keeping the cache: nothing was lost", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    opened.push(proxy);
    const { forgotten, cleared, verifier } = forgetting();
    const subscription = await subscribeToKeyChanges(await redisAt(proxy.url), verifier, silentLogger(), {
      heartbeatMs: 500,
    });
    opened.push(subscription);
    await until(() => subscription.live());
    const publisher = await redisAt(TEST_REDIS_URL);
    proxy.stall();
    await publisher.publish(API_KEY_CHANGED_CHANNEL, encodeApiKeyChanged("key_during_stall"));
    await new Promise((done) => setTimeout(done, 100));
    proxy.resume();
    await until(() => forgotten.includes("key_during_stall"));
    expect(subscription.live()).toBe(true);
    expect(cleared.times).toBe(1);
  });
});
