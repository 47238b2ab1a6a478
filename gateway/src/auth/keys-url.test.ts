import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SUPERGRAPH_PATH } from "../env.js";
import { keysServiceOrigin } from "./keys-url.js";

describe("keysServiceOrigin", () => {
  const sdl = readFileSync(DEFAULT_SUPERGRAPH_PATH, "utf8");

  it("is the origin of the keys subgraph's routing URL, or of its override", () => {
    expect(keysServiceOrigin(sdl, {})).toBe("http://localhost:4002");
    expect(keysServiceOrigin(sdl, { keys: "http://10.1.2.3:9000/graphql" })).toBe("http://10.1.2.3:9000");
  });

  it("is undefined for a supergraph without a keys subgraph", () => {
    expect(keysServiceOrigin("schema { query: Query }", {})).toBeUndefined();
  });
});
