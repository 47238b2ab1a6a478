import { API_KEY_CHANGED_CHANNEL, connectRedis, createRedis, decodeApiKeyChanged, type Redis } from "@pokewatch/kit";
import { TEST_REDIS_URL, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyEvents } from "./key-events.js";

let publisher: Redis;
let subscriber: Redis;

beforeAll(async () => {
  publisher = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  expect(await connectRedis(publisher)).toBe(true);
  subscriber = publisher.duplicate();
  expect(await connectRedis(subscriber)).toBe(true);
  await subscriber.subscribe(API_KEY_CHANGED_CHANNEL);
});
afterAll(() => {
  subscriber.disconnect();
  publisher.disconnect();
});

describe("createApiKeyEvents on Redis", () => {
  it("publishes the changed key's id on the key-changed channel", async () => {
    // Other tests running meanwhile announce their own keys on the same channel: wait for this one.
    const received = new Promise<[string, string]>((resolve) => {
      subscriber.on("message", (channel: string, message: string) => {
        if (decodeApiKeyChanged(message) === "key_rotatedByTest") resolve([channel, message]);
      });
    });
    await createApiKeyEvents(publisher, silentLogger()).keyChanged("key_rotatedByTest");
    const [channel, message] = await received;
    expect(channel).toBe(API_KEY_CHANGED_CHANNEL);
    expect(decodeApiKeyChanged(message)).toBe("key_rotatedByTest");
  });
});
