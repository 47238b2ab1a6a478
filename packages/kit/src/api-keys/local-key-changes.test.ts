import { describe, expect, it } from "vitest";
import { createLocalKeyChanges } from "./local-key-changes.js";

describe("createLocalKeyChanges", () => {
  it("tells every listener at once, in the announcing call", () => {
    const changes = createLocalKeyChanges();
    const heard: string[] = [];
    changes.listen((keyId) => heard.push(`a:${keyId}`));
    changes.listen((keyId) => heard.push(`b:${keyId}`));
    changes.announce("key_1");
    expect(heard).toEqual(["a:key_1", "b:key_1"]);
  });

  it("stops a listener that unsubscribed, and keeps announcing past one that throws", () => {
    const changes = createLocalKeyChanges();
    const heard: string[] = [];
    const stop = changes.listen((keyId) => heard.push(keyId));
    changes.listen(() => {
      throw new Error("listener failed");
    });
    changes.listen((keyId) => heard.push(`after:${keyId}`));
    expect(() => changes.announce("key_1")).not.toThrow();
    stop();
    changes.announce("key_2");
    expect(heard).toEqual(["key_1", "after:key_1", "after:key_2"]);
  });
});
