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
});
