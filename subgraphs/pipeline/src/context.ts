import type { SubgraphContext } from "@pokewatch/kit";
import type { ModelRegistry } from "@pokewatch/model";
import type { RunStore } from "./pipeline/run-store.js";
import type { ScheduleDefinition } from "./pipeline/schedule.js";

export interface PipelineContext extends SubgraphContext {
  runs: RunStore;
  registry: ModelRegistry;
  schedules: ScheduleDefinition[];
  clock: () => Date;
}
