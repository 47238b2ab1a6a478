import type { SubgraphContext } from "@pokewatch/kit";
import type { RunStore } from "./pipeline/run-store.js";
import type { ScheduleDefinition } from "./pipeline/schedule.js";
import type { ModelVersionStore } from "./registry/model-version-store.js";

export interface PipelineContext extends SubgraphContext {
  runs: RunStore;
  modelVersions: ModelVersionStore;
  schedules: ScheduleDefinition[];
  clock: () => Date;
}
