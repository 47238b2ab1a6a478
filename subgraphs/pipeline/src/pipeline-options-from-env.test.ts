import { parseEnv } from "@pokewatch/kit";
import { BASE_TEST_ENV, variablesWithoutEffect } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { pipelineEnvSchema } from "./env.js";
import { pipelineOptionsFromEnv } from "./pipeline-options-from-env.js";

describe("pipelineOptionsFromEnv", () => {
  it("turns every variable of the pipeline schema into an option", () => {
    expect(variablesWithoutEffect(pipelineEnvSchema, pipelineOptionsFromEnv)).toEqual({ unused: [], untested: [] });
  });

  it("trains on start by default, and maps the schedule and public URL", () => {
    const options = pipelineOptionsFromEnv(parseEnv(pipelineEnvSchema, BASE_TEST_ENV));
    expect(options.trainOnStart).toBe(true);
    expect(options.app).toMatchObject({ cron: "0 3 * * *" });
    const off = parseEnv(pipelineEnvSchema, { ...BASE_TEST_ENV, PIPELINE_TRAIN_ON_START: "false" });
    expect(pipelineOptionsFromEnv(off).trainOnStart).toBe(false);
  });

  it("collects from the providers by default (auto), and reads the provider variables", () => {
    const collect = (env: Record<string, string>) =>
      pipelineOptionsFromEnv(parseEnv(pipelineEnvSchema, { SUBGRAPH_SECRET: "s".repeat(32), ...env })).app
        .pipelineOptions!.collect!;
    expect(collect({})).toMatchObject({
      source: "auto",
      pokemontcg: { baseUrl: "https://api.pokemontcg.io/v2", apiKey: undefined },
      ppt: {
        baseUrl: "https://www.pokemonpricetracker.com/api/v2",
        apiKey: undefined,
        backfillDays: 90,
        maxCallsPerRun: 50,
      },
    });
    // Compose passes an unset secret as "": unset, not a key.
    expect(collect({ POKEMONTCG_API_KEY: "", POKEMON_PRICE_API_KEY: "" })).toMatchObject({
      pokemontcg: { apiKey: undefined },
      ppt: { apiKey: undefined },
    });
    expect(collect({ POKEMON_PRICE_API_KEY: "k1" }).ppt.apiKey).toBe("k1");
    // No calls allowed, no backfill: the key is not handed on.
    expect(collect({ POKEMON_PRICE_API_KEY: "k1", PPT_MAX_CALLS_PER_RUN: "0" }).ppt.apiKey).toBeUndefined();
    expect(() => collect({ PRICE_SOURCE: "pokemontcg" })).toThrow(/PRICE_SOURCE = "pokemontcg"/);
    expect(() => collect({ PRICE_BACKFILL_DAYS: "400" })).toThrow(/PRICE_BACKFILL_DAYS = "400": must be at most 365/);
  });
});
