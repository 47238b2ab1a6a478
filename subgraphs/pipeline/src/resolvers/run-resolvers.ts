import { pokewatchError } from "@pokewatch/kit";
import type { PipelineContext } from "../context.js";
import type { PipelineRunRecord, RunArtifact, RunFilter } from "../pipeline/pipeline-types.js";
import { nextRunAfter, type ScheduleDefinition } from "../pipeline/schedule.js";
import { toConnection } from "./connection.js";

interface PipelineRunsArgs extends RunFilter {
  first: number;
  after?: string | null;
}

/** What `RunArtifact` resolves from: the file is only read when a field other than its name is asked for. */
interface ArtifactRef {
  runId: string;
  name: string;
}

const runNotFound = (id: string) =>
  pokewatchError("NOT_FOUND", `No pipeline run with id "${id}"`, { extensions: { argument: "id" } });

/** The stored file, verified against its sha256; one read per artifact per request (the context's loader). */
async function load({ runId, name }: ArtifactRef, { artifacts }: PipelineContext): Promise<RunArtifact> {
  const artifact = await artifacts.load(`${runId}/${name}`);
  // Listed a moment ago: only a run deleted meanwhile gets here.
  if (!artifact) throw pokewatchError("NOT_FOUND", `Run "${runId}" has no artifact "${name}"`);
  return artifact;
}

/** A `data:` URL of the file: browsers show it from the GraphQL answer, with no request to any service. */
export const artifactDataUrl = ({ contentType, body }: Pick<RunArtifact, "contentType" | "body">) =>
  `data:${contentType};base64,${Buffer.from(body, "utf8").toString("base64")}`;

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
    contentType: async (ref: ArtifactRef, _args: unknown, ctx: PipelineContext) => (await load(ref, ctx)).contentType,
    sha256: async (ref: ArtifactRef, _args: unknown, ctx: PipelineContext) => (await load(ref, ctx)).sha256,
    content: async (ref: ArtifactRef, _args: unknown, ctx: PipelineContext) => (await load(ref, ctx)).body,
    dataUrl: async (ref: ArtifactRef, _args: unknown, ctx: PipelineContext) => artifactDataUrl(await load(ref, ctx)),
    url: async (ref: ArtifactRef, _args: unknown, ctx: PipelineContext) => artifactDataUrl(await load(ref, ctx)),
  },
};
