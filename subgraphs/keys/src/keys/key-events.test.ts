import { createLocalKeyChanges, type Redis } from "@pokewatch/kit";
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
    await expect(createApiKeyEvents(down, logger).keyChanged("key_a")).resolves.toBeUndefined();
    expect(lines()).toHaveLength(1);
    expect(JSON.parse(lines()[0]!)).toMatchObject({
      keyId: "key_a",
      msg: expect.stringContaining("could not announce"),
    });
    await expect(createApiKeyEvents(down).keyChanged("key_a")).resolves.toBeUndefined();
  });

  it("tells a gateway in the same process before publishing, even when the publish fails", async () => {
    const local = createLocalKeyChanges();
    const heard: string[] = [];
    local.listen((keyId) => heard.push(keyId));
    const down = { publish: () => Promise.reject(new Error("down")) } as unknown as Redis;
    await createApiKeyEvents(undefined, undefined, local).keyChanged("key_a");
    await createApiKeyEvents(down, undefined, local).keyChanged("key_b");
    expect(heard).toEqual(["key_a", "key_b"]);
  });
});
