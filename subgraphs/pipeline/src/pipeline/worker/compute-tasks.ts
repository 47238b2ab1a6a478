import type { CardAttributes, PriceDataset } from "@pokewatch/model";
import { computeFeatures } from "../steps/features-step.js";
import { encodeIngestOutput, type IngestOutput } from "../steps/ingest-step.js";
import type { PipelineOptions } from "../steps/step.js";
import { validatePrices, type ValidateOutput, type ValidationReport } from "../steps/validate-step.js";
import { computeTrainOutput } from "../steps/train-step.js";
import { unpackSeries, type PackedSeries } from "./packed-series.js";

type Progress = (message: string) => void;

/** The buffers a result's typed arrays and body own outright, to move back instead of copying. */
function ownedBuffers(...views: ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) {
    // A view into a shared buffer (Node's Buffer pool) is copied: moving it would take its neighbours.
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) buffers.add(view.buffer as ArrayBuffer);
  }
  return [...buffers];
}

const datasetViews = (d: PriceDataset) => [d.features, d.target, d.price, d.actual, d.rollingMean3, d.day, d.card];

/**
 * What a compute worker can do: each task takes structured-cloneable input and resolves with its
 * result and the buffers to transfer back. A StepFailure (or ModelInputError) fails the step.
 */
export const computeTasks = {
  /** Ingest's (or validate's) output as the step-output cache stores it. */
  encodeSeries: (input: {
    series: PackedSeries;
    rest: Omit<IngestOutput, "series"> & { report?: ValidationReport };
  }) => {
    const body = encodeIngestOutput({ ...input.rest, series: unpackSeries(input.series) });
    return Promise.resolve({ result: body, transfer: ownedBuffers(body) });
  },
  validate: (input: {
    series: PackedSeries;
    rest: Omit<IngestOutput, "series">;
    options: Pick<PipelineOptions, "maxInvalidShare" | "maxGapShare">;
  }) => {
    const series = unpackSeries(input.series);
    const validation = validatePrices(series, input.options);
    const output: ValidateOutput = { ...input.rest, series, report: validation.report };
    const body = validation.failures.length === 0 ? encodeIngestOutput(output) : null;
    return Promise.resolve({ result: { validation, body }, transfer: body ? ownedBuffers(body) : [] });
  },
  features: (input: { series: PackedSeries; attributes: Record<string, CardAttributes>; sources: string[] }) => {
    const result = computeFeatures(unpackSeries(input.series), input.attributes, input.sources);
    return Promise.resolve({ result, transfer: ownedBuffers(...datasetViews(result.output.dataset), result.body) });
  },
  train: async (input: { dataset: PriceDataset; sources: string[]; trees: number | undefined }, progress: Progress) => {
    const result = await computeTrainOutput(input.dataset, input.sources, input.trees, progress);
    return { result, transfer: ownedBuffers(result.output.newVersion.artifact, result.body) };
  },
  /** Test hooks: a task that throws, and one that kills its thread, as a bug or a crash would. */
  throws: (input: { message: string }): Promise<{ result: never; transfer: ArrayBuffer[] }> =>
    Promise.reject(new Error(input.message)),
  exits: (input: { code: number }): Promise<{ result: never; transfer: ArrayBuffer[] }> => process.exit(input.code),
  /** Holds its thread for `ms` (as a long training does): for the stop and time-limit tests. */
  spins: (input: { ms: number }): Promise<{ result: null; transfer: ArrayBuffer[] }> => {
    const until = Date.now() + input.ms;
    while (Date.now() < until) {
      // busy on purpose
    }
    return Promise.resolve({ result: null, transfer: [] });
  },
};

export type ComputeTasks = typeof computeTasks;
export type ComputeTaskName = keyof ComputeTasks;
