import { silentLogger } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { createFailedAuthThrottle } from "./failed-auth-throttle.js";

function throttle(perMinute = 3) {
  const clock = { at: 1_000_000, now: () => clock.at };
  return { clock, throttle: createFailedAuthThrottle({ logger: silentLogger(), perMinute, clock: clock.now }) };
}

describe("createFailedAuthThrottle (in process)", () => {
  it("allows perMinute failures, then refuses until a point refills (60 / perMinute s)", async () => {
    const { clock, throttle: t } = throttle(3);
    for (let i = 0; i < 3; i += 1) expect(await t.take("203.0.113.1")).toEqual({ allowed: true });
    expect(await t.take("203.0.113.1")).toEqual({ allowed: false, retryAfterMs: 20_000 });
    clock.at += 19_999;
    expect((await t.take("203.0.113.1")).allowed).toBe(false);
    clock.at += 1;
    expect(await t.take("203.0.113.1")).toEqual({ allowed: true });
  });

  it("counts each address apart", async () => {
    const { throttle: t } = throttle(1);
    expect((await t.take("203.0.113.1")).allowed).toBe(true);
    expect((await t.take("203.0.113.1")).allowed).toBe(false);
    expect((await t.take("203.0.113.2")).allowed).toBe(true);
  });

  it("counts nothing for a forgiven take (a success), and never fills past perMinute", async () => {
    const { throttle: t } = throttle(2);
    for (let i = 0; i < 10; i += 1) {
      expect((await t.take("203.0.113.1")).allowed).toBe(true);
      await t.forgive("203.0.113.1");
    }
    await t.forgive("203.0.113.1");
    expect((await t.take("203.0.113.1")).allowed).toBe(true);
    expect((await t.take("203.0.113.1")).allowed).toBe(true);
    expect((await t.take("203.0.113.1")).allowed).toBe(false);
  });

  it("refuses a nonsense limit, naming it", () => {
    expect(() => createFailedAuthThrottle({ logger: silentLogger(), perMinute: 0 })).toThrow(
      /failed authentications per minute must be a whole number of at least 1; got 0/,
    );
  });
});
