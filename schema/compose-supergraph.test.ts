import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CompositionError, composeSupergraph, listComposeConfigs } from "./compose-supergraph.js";

describe("committed supergraphs", () => {
  it("has a config for the local and the docker network", () => {
    expect(listComposeConfigs()).toEqual(["supergraph.docker.yaml", "supergraph.local.yaml"]);
  });

  it.each(listComposeConfigs())(
    "%s matches what the subgraph SDLs compose to (run `pnpm compose` if not)",
    (config) => {
      const { outputPath, sdl } = composeSupergraph(config);
      expect(readFileSync(outputPath, "utf8")).toBe(sdl);
    },
  );

  it("routes each network to its own addresses", () => {
    expect(composeSupergraph("supergraph.local.yaml").sdl).toContain('url: "http://localhost:4001/graphql"');
    expect(composeSupergraph("supergraph.docker.yaml").sdl).toContain('url: "http://pricing:4001/graphql"');
  });

  it("joins the entities of the contract", () => {
    const { sdl } = composeSupergraph("supergraph.local.yaml");
    for (const [type, graph] of [
      ["Card", "PRICING"],
      ["ApiKey", "KEYS"],
      ["PipelineRun", "PIPELINE"],
      ["ModelVersion", "PIPELINE"],
    ]) {
      expect(sdl).toMatch(new RegExp(`type ${type}\\s+@join__type\\(graph: ${graph}, key: "id"\\)`));
    }
  });
});

describe("composition failures", () => {
  it("names the conflict when two subgraphs disagree", () => {
    const dir = mkdtempSync(join(tmpdir(), "compose-"));
    writeFileSync(join(dir, "a.graphql"), "type Query { price: Int }");
    writeFileSync(join(dir, "b.graphql"), "type Query { price: String }");
    writeFileSync(
      join(dir, "supergraph.test.yaml"),
      `output: out.graphql
subgraphs:
  a: { routing_url: "http://a/graphql", schema: { file: a.graphql } }
  b: { routing_url: "http://b/graphql", schema: { file: b.graphql } }
`,
    );
    expect(() => composeSupergraph("supergraph.test.yaml", dir)).toThrow(CompositionError);
    expect(() => composeSupergraph("supergraph.test.yaml", dir)).toThrow(/Query\.price/);
  });
});
