import { describe, expect, it } from "vitest";
import { corsOrigin } from "./cors.js";

describe("corsOrigin", () => {
  it("reads CORS_ORIGINS: * for any origin, a list for those, empty for none", () => {
    expect(corsOrigin("*")).toBe(true);
    expect(corsOrigin(" https://a.example , https://b.example,")).toEqual(["https://a.example", "https://b.example"]);
    expect(corsOrigin("")).toBe(false);
    expect(corsOrigin(" , ")).toBe(false);
  });
});
