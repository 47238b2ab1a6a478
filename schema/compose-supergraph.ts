import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Kustomize's configMapGenerator reads only files inside the kustomization's folder, so the docker
 * network's supergraph is copied into ops/k8s/base.
 */
const COPIES: Record<string, string[]> = {
  "supergraph.docker.yaml": [fileURLToPath(new URL("../ops/k8s/base/supergraph.graphql", import.meta.url))],
};

const configSchema = z.object({
  output: z.string().regex(/^[\w.-]+\.graphql$/),
  subgraphs: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/),
    z.object({ routing_url: z.string().url(), schema: z.object({ file: z.string() }) }),
  ),
});

export interface ComposedSupergraph {
  /** The config file it came from, e.g. `supergraph.local.yaml`. */
  config: string;
  /** Absolute path the supergraph belongs at. */
  outputPath: string;
  /** Absolute paths of its copies outside schema/, kept identical to it. */
  copyPaths: string[];
  sdl: string;
}

export class CompositionError extends Error {
  constructor(config: string, messages: string[]) {
    super(`${config} does not compose:\n${messages.map((m) => `  - ${m}`).join("\n")}`);
    this.name = "CompositionError";
  }
}

/** Every `supergraph.<network>.yaml` in schema/. */
export function listComposeConfigs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => /^supergraph\.[\w-]+\.yaml$/.test(file))
    .sort();
}

/** Composes the subgraph SDLs named by one config with @apollo/composition (what rover would do). */
export function composeSupergraph(configFile: string, dir = SCHEMA_DIR): ComposedSupergraph {
  const configPath = join(dir, configFile);
  const config = configSchema.parse(parseYaml(readFileSync(configPath, "utf8")));
  const services = Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
    typeDefs: parse(readFileSync(resolve(dir, subgraph.schema.file), "utf8")),
  }));
  const result = composeServices(services);
  if (result.errors)
    throw new CompositionError(
      configFile,
      result.errors.map((e) => e.message),
    );
  return {
    config: configFile,
    outputPath: join(dir, config.output),
    copyPaths: dir === SCHEMA_DIR ? (COPIES[configFile] ?? []) : [],
    sdl: `${result.supergraphSdl.trimEnd()}\n`,
  };
}
