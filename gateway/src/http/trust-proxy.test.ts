import { describe, expect, it } from "vitest";
import { parseTrustProxy } from "./trust-proxy.js";

describe("parseTrustProxy", () => {
  it("reads off and on", () => {
    for (const off of ["", "false", "0", " false "]) expect(parseTrustProxy(off)).toBe(false);
    for (const on of ["true", "1"]) expect(parseTrustProxy(on)).toBe(true);
  });

  it("keeps a list of addresses, CIDRs and presets, trimmed", () => {
    expect(parseTrustProxy("10.0.0.0/8, 192.168.1.10,loopback")).toBe("10.0.0.0/8,192.168.1.10,loopback");
    expect(parseTrustProxy("2001:db8::/32,::1,uniquelocal,linklocal")).toBe("2001:db8::/32,::1,uniquelocal,linklocal");
  });

  it("refuses anything else, naming the entry", () => {
    expect(() => parseTrustProxy("2")).toThrow(/"2" is not an IP address/);
    expect(() => parseTrustProxy("10.0.0.0/33")).toThrow(/"10.0.0.0\/33"/);
    expect(() => parseTrustProxy("10.0.0.1,proxy.internal")).toThrow(/"proxy.internal"/);
    expect(() => parseTrustProxy("10.0.0.0/8/8")).toThrow(/not an IP address/);
    expect(() => parseTrustProxy("loopback,")).toThrow(/""/);
  });
});
