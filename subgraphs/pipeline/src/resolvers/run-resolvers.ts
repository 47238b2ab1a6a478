import { pokewatchError } from "@pokewatch/kit";
import type { PipelineContext } from "../context.js";
import type { PipelineRunRecord, RunFilter } from "../pipeline/pipeline-types.js";
import { nextRunAfter, type ScheduleDefinition } from "../pipeline/schedule.js";
import { toConnection } from "./connection.js";

interface PipelineRunsArgs extends RunFilter {
  first: number;
  after?: string | null;
}

/** What `RunArtifact` resolves from: the file is only read when its content type is asked for. */
interface ArtifactRef {
  runId: string;
  name: string;
}

const runNotFound = (id: string) =>
  pokewatchError("NOT_FOUND", `No pipeline run with id "${id}"`, { extensions: { argument: "id" } });

/** Where the pipeline service serves a run's file (see `registerArtifactRoute`). */
export const artifactUrl = (publicUrl: string, { runId, name }: ArtifactRef) =>
  `${publicUrl}/runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`;

export const runResolvers = {
  Query: {
    async pipelineRuns(
      _root: unknown,
      { status, trigger, first, after }: PipelineRunsArgs,
      { store }: PipelineContext,
    ) {
      const page = await store.list({ status, trigger, first, after: after ?? null });
      return toConnection(page.runs, page.cursors, page, after);
    },
    async pipelineRun(_root: unknown, { id }: { id: string }, { store }: PipelineContext) {
      return (await store.findById(id)) ?? runNotFound(id);
    },
    schedules: (_root: unknown, _args: unknown, { schedules }: PipelineContext) => schedules,
  },
  Schedule: {
    nextRunAt: (schedule: ScheduleDefinition, _args: unknown, { clock }: PipelineContext) =>
      nextRunAfter(schedule, clock()),
    lastRun: (_schedule: ScheduleDefinition, _args: unknown, { store }: PipelineContext) =>
      store.latestByTrigger("SCHEDULE"),
  },
  PipelineRun: {
    async __resolveReference({ id }: { id: string }, { store }: PipelineContext) {
      return (await store.findById(id)) ?? pokewatchError("NOT_FOUND", `No pipeline run with id "${id}"`);
    },
    steps: (run: PipelineRunRecord, _args: unknown, { steps }: PipelineContext) => steps.load(run.id),
    producedModel: (run: PipelineRunRecord, _args: unknown, { registry }: PipelineContext) =>
      run.producedModelId ? registry.get(run.producedModelId) : null,
    async artifacts(run: PipelineRunRecord, _args: unknown, { store }: PipelineContext): Promise<ArtifactRef[]> {
      return (await store.artifactNames(run.id)).map((name) => ({ runId: run.id, name }));
    },
  },
  RunArtifact: {
    url: (artifact: ArtifactRef, _args: unknown, { publicUrl }: PipelineContext) => artifactUrl(publicUrl, artifact),
    async contentType({ runId, name }: ArtifactRef, _args: unknown, { store }: PipelineContext) {
      const artifact = await store.artifact(runId, name);
      // Listed a moment ago: only a run deleted meanwhile gets here.
      if (!artifact) throw pokewatchError("NOT_FOUND", `Run "${runId}" has no artifact "${name}"`);
      return artifact.contentType;
    },
  },
};
