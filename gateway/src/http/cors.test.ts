import { describe, expect, it } from "vitest";
import { LOOPBACK_ORIGIN, parseCorsOrigins, resolveCorsPolicy } from "./cors.js";

describe("parseCorsOrigins", () => {
  it("reads CORS_ORIGINS: unset or empty, *, none, or a list of origins", () => {
    expect(parseCorsOrigins(undefined)).toBeUndefined();
    expect(parseCorsOrigins("  ")).toBeUndefined();
    expect(parseCorsOrigins(" * ")).toBe("*");
    expect(parseCorsOrigins("none")).toEqual([]);
    expect(parseCorsOrigins(" https://a.example , http://localhost:5173,")).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
  });

  it.each([
    ["https://a.example,*", /"\*" must be the whole value/],
    ["none,https://a.example", /"none" must be the whole value/],
    ["a.example", /"a.example" is not an http\(s\) origin/],
    ["ftp://a.example", /not an http\(s\) origin/],
    ["https://a.example/", /use "https:\/\/a.example" \(no path, no trailing \/\)/],
    ["https://A.example:443", /use "https:\/\/a.example"/],
  ])("refuses %s, stating the form", (setting, message) => {
    expect(() => parseCorsOrigins(setting)).toThrow(message);
  });
});

describe("resolveCorsPolicy", () => {
  it("allows loopback pages only when unset outside production", () => {
    const { origin, warning } = resolveCorsPolicy(undefined, "development");
    expect(origin).toBe(LOOPBACK_ORIGIN);
    expect(warning).toBeUndefined();
    for (const allowed of ["http://localhost:5173", "http://127.0.0.1", "https://[::1]:8443"]) {
      expect(LOOPBACK_ORIGIN.test(allowed)).toBe(true);
    }
    for (const refused of ["http://localhost.evil.example", "https://evil.example", "http://127.0.0.1.nip.io"]) {
      expect(LOOPBACK_ORIGIN.test(refused)).toBe(false);
    }
  });

  it("refuses to start in production without an explicit setting, naming CORS_ORIGINS", () => {
    expect(() => resolveCorsPolicy(undefined, "production")).toThrow(
      /^CORS_ORIGINS is not set: with NODE_ENV=production list the browser origins.*CORS_ORIGINS=\* to allow every origin on purpose$/,
    );
    expect(() => resolveCorsPolicy("", "production")).toThrow(/^CORS_ORIGINS is not set/);
    expect(() => resolveCorsPolicy("https://a.example/x", "production")).toThrow(/^CORS_ORIGINS: /);
  });

  it("takes * in production only as set, with a warning; a list or none without one", () => {
    expect(resolveCorsPolicy("*", "production")).toEqual({
      origin: "*",
      warning: expect.stringContaining("CORS_ORIGINS=* in production") as string,
    });
    expect(resolveCorsPolicy("*", "development")).toEqual({ origin: "*" });
    expect(resolveCorsPolicy("https://a.example", "production")).toEqual({ origin: ["https://a.example"] });
    expect(resolveCorsPolicy("none", "production")).toEqual({ origin: false });
  });
});
