import { createLocalKeyChanges, encodeApiKeyChanged, type Redis } from "@pokewatch/kit";
import { capturingLogger } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { createApiKeyEvents } from "./key-events.js";

describe("createApiKeyEvents", () => {
  it("does nothing without Redis", async () => {
    await expect(createApiKeyEvents(undefined).keyChanged("key_a")).resolves.toBeUndefined();
  });

  it("logs a failed publish instead of throwing", async () => {
    const down = {
      publish: () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    } as unknown as Redis;
    const { logger, lines } = capturingLogger();
    await expect(createApiKeyEvents(down, logger, { retryForMs: 0 }).keyChanged("key_a")).resolves.toBeUndefined();
    expect(JSON.parse(lines()[0]!)).toMatchObject({
      keyId: "key_a",
      msg: expect.stringContaining("could not announce"),
    });
    await expect(createApiKeyEvents(down, undefined, { retryForMs: 0 }).keyChanged("key_a")).resolves.toBeUndefined();
  });

  it("tells a gateway in the same process before publishing, even when the publish fails", async () => {
    const local = createLocalKeyChanges();
    const heard: string[] = [];
    local.listen((keyId) => heard.push(keyId));
    const down = { publish: () => Promise.reject(new Error("down")) } as unknown as Redis;
    await createApiKeyEvents(undefined, undefined, { local }).keyChanged("key_a");
    await createApiKeyEvents(down, undefined, { local, retryForMs: 0 }).keyChanged("key_b");
    expect(heard).toEqual(["key_a", "key_b"]);
  });

  it("retries a failed publish in the background until it goes through", async () => {
    const published: string[] = [];
    let failures = 2;
    const flaky = {
      publish: (_channel: string, message: string) => {
        if (failures-- > 0) return Promise.reject(new Error("connection is closed"));
        published.push(message);
        return Promise.resolve(1);
      },
    } as unknown as Redis;
    const { logger, lines } = capturingLogger();
    await createApiKeyEvents(flaky, logger, { retryIntervalMs: 10 }).keyChanged("key_late");
    expect(published).toEqual([]);
    await expect.poll(() => published, { timeout: 2_000, interval: 10 }).toEqual([encodeApiKeyChanged("key_late")]);
    expect(lines().some((line) => line.includes("announced a key change after retrying"))).toBe(true);
  });

  it("gives up retrying after retryForMs, saying so", async () => {
    const down = { publish: () => Promise.reject(new Error("down")) } as unknown as Redis;
    const { logger, lines } = capturingLogger();
    await createApiKeyEvents(down, logger, { retryIntervalMs: 10, retryForMs: 30 }).keyChanged("key_never");
    await expect
      .poll(() => lines().some((line) => line.includes("gave up announcing")), { timeout: 2_000, interval: 10 })
      .toBe(true);
  });
});
