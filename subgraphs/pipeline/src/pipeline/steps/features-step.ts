import { endianness } from "node:os";
import { parseIsoDay, type Catalog, type PriceSeries } from "@pokewatch/market";
import {
  FEATURE_COUNT,
  HORIZON_DAYS,
  buildPriceDataset,
  catalogAttributes,
  isModelInputError,
  type CardAttributes,
  type PriceDataset,
} from "@pokewatch/model";
import { packedOnce } from "../worker/packed-series.js";
import { asBuffer, computeOptions, runInComputeWorker } from "../worker/compute-worker.js";
import { MODEL_SRC_URL, catalogAttributesHash, codeVersionOf, codeVersionOfDir, sha256Hex } from "./content-hash.js";
import { StepFailure, StepStop, type PipelineStep, type StepResult } from "./step.js";
import type { ValidateOutput } from "./validate-step.js";

/** The training rows, and where their prices came from (for the model's training summary). */
export interface FeaturesOutput {
  dataset: PriceDataset;
  sources: string[];
}

const FORMAT = "pokewatch.features/1";
const count = (n: number) => n.toLocaleString("en-US");

/** Step 3: turns the validated series into feature rows, with catalog attributes (rarity, set age). */
export const featuresStep: PipelineStep<ValidateOutput, FeaturesOutput> = {
  name: "features",
  cacheable: true,
  codeUrl: new URL(import.meta.url),
  /**
   * Beyond the validated series: the catalog attributes rows are built with (rarity, set release
   * date) and the model package's feature code (`features/` and `buildPriceDataset`).
   */
  cacheInput: (ctx) =>
    Promise.resolve(JSON.stringify({ catalog: catalogAttributesHash(ctx.catalog), code: featureCodeVersion() })),

  // Seconds of CPU on a large catalog: in a worker thread, so that serving goes on meanwhile.
  async run(ctx, input) {
    assertTrainable(input.series);
    ctx.progress?.(`building features for ${count(input.series.length)} cards`);
    const series = packedOnce(input.series);
    const request = { series, attributes: attributesOf(ctx.catalog, input.series), sources: input.sources };
    const result = await runInComputeWorker("features", request, computeOptions(ctx));
    // Buffers arrive from the worker as plain Uint8Arrays.
    return { ...result, body: asBuffer(result.body) };
  },

  serialize: (output) => serializeFeatures(output),
  deserialize: (body) => deserializeFeatures(body),
};

/** Days from a series' first price to its last, both counted (0 for no prices). */
function historyDays(series: PriceSeries): number {
  const first = series.points[0];
  const last = series.points.at(-1);
  if (!first || !last) return 0;
  return (parseIsoDay(last.date) ?? 0) - (parseIsoDay(first.date) ?? 0) + 1;
}

/**
 * A training row needs a day with a whole horizon after it, so no card with more than
 * HORIZON_DAYS days of prices means nothing to train on yet: the normal state of the first days
 * of collecting, so the run stops there and succeeds (StepStop) instead of failing every day.
 */
export function assertTrainable(series: readonly PriceSeries[]): void {
  let longest = 0;
  for (const one of series) longest = Math.max(longest, historyDays(one));
  if (longest > HORIZON_DAYS) return;
  throw new StepStop(
    `not enough history to train yet: the longest of the ${count(series.length)} cards' price histories ` +
      `is ${count(longest)} day${longest === 1 ? "" : "s"}, and training needs more than ${HORIZON_DAYS} ` +
      "(about 4 weeks for good features); each daily run adds a day, or import or backfill history (docs/data.md)",
  );
}

/** `@pokewatch/model`'s feature code: the `features/` directory and the dataset builder. */
export function featureCodeVersion(src: URL = MODEL_SRC_URL): string {
  return sha256Hex(
    codeVersionOfDir(new URL("features/", src)),
    codeVersionOf(new URL("training/price-dataset.ts", src)),
    codeVersionOf(new URL("model-input-error.ts", src)),
  );
}

/** Rarity and set release date of each card in the series that the catalog knows. */
export function attributesOf(catalog: Catalog, series: readonly PriceSeries[]): Record<string, CardAttributes> {
  const lookup = catalogAttributes(catalog);
  const attributes: Record<string, CardAttributes> = {};
  for (const { cardId } of series) {
    const found = lookup(cardId);
    if (found) attributes[cardId] = found;
  }
  return attributes;
}

/**
 * The step's work, as its worker thread does it: feature rows from the series and the catalog's
 * attributes (cards missing from `attributes` have no rarity or set age), hashed and serialized.
 */
export function computeFeatures(
  series: readonly PriceSeries[],
  attributes: Readonly<Record<string, CardAttributes>>,
  sources: string[],
): Required<Pick<StepResult<FeaturesOutput>, "output" | "outputHash" | "message" | "body">> {
  let dataset: PriceDataset;
  try {
    dataset = buildPriceDataset(series, (cardId) => attributes[cardId]);
  } catch (error) {
    if (isModelInputError(error)) throw new StepFailure(error.message);
    throw error;
  }
  const output: FeaturesOutput = { dataset, sources };
  const unknown = dataset.cardIds.filter((id) => attributes[id] === undefined).length;
  return {
    output,
    outputHash: sha256Hex(...encodedParts(output)),
    body: serializeFeatures(output),
    message:
      `${count(dataset.rows)} rows × ${FEATURE_COUNT} features from ${count(dataset.cardIds.length)} cards` +
      (unknown > 0 ? ` (${count(unknown)} not in the catalog: no rarity or set age)` : ""),
  };
}

/** The dataset's arrays in the order they are written; each with its element type. */
const ARRAYS = [
  ["features", Float32Array],
  ["target", Float64Array],
  ["price", Float64Array],
  ["actual", Float64Array],
  ["rollingMean3", Float64Array],
  ["day", Int32Array],
  ["card", Uint32Array],
] as const;

type ArrayName = (typeof ARRAYS)[number][0];

interface Header {
  format: typeof FORMAT;
  rows: number;
  featureCount: number;
  cardIds: string[];
  sources: string[];
  /** Byte length of each array, in ARRAYS order. */
  byteLengths: number[];
}

function requireLittleEndian(): void {
  // Typed arrays are written as the machine holds them; every supported platform is little-endian.
  if (endianness() !== "LE") throw new Error("the features cache format needs a little-endian machine");
}

/** The header (JSON) and every array's bytes (views, not copies), in file order. */
function encodedParts({ dataset, sources }: FeaturesOutput): Uint8Array[] {
  const views = ARRAYS.map(([name]) => {
    const array = dataset[name];
    return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  });
  const header: Header = {
    format: FORMAT,
    rows: dataset.rows,
    featureCount: FEATURE_COUNT,
    cardIds: dataset.cardIds,
    sources,
    byteLengths: views.map((view) => view.byteLength),
  };
  return [Buffer.from(JSON.stringify(header), "utf8"), ...views];
}

/**
 * A features output as bytes: a 4-byte little-endian header length, the JSON header (rows, card
 * ids, sources, array lengths), then each typed array's raw bytes. Lossless (NaN included).
 */
export function serializeFeatures(output: FeaturesOutput): Buffer {
  requireLittleEndian();
  const [header, ...arrays] = encodedParts(output);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header!.byteLength);
  return Buffer.concat([length, header!, ...arrays]);
}

/** Reads back what `serializeFeatures` wrote; throws on anything else (a stale cache entry). */
export function deserializeFeatures(body: Buffer): FeaturesOutput {
  requireLittleEndian();
  const headerEnd = 4 + body.readUInt32LE(0);
  const header = JSON.parse(body.subarray(4, headerEnd).toString("utf8")) as Partial<Header>;
  if (header.format !== FORMAT || header.featureCount !== FEATURE_COUNT) {
    throw new Error(`not a ${FORMAT} step output with ${FEATURE_COUNT} features`);
  }
  const { rows, cardIds, sources, byteLengths } = header as Header;
  const arrays = {} as Record<ArrayName, PriceDataset[ArrayName]>;
  let offset = headerEnd;
  ARRAYS.forEach(([name, Type], i) => {
    const byteLength = byteLengths[i]!;
    // A copy, so each array owns an aligned buffer whatever the body's offset.
    const array = new Type(byteLength / Type.BYTES_PER_ELEMENT);
    new Uint8Array(array.buffer).set(body.subarray(offset, offset + byteLength));
    arrays[name] = array;
    offset += byteLength;
  });
  const lengthOf = (name: ArrayName) => (name === "features" ? rows * FEATURE_COUNT : rows);
  if (offset !== body.byteLength || ARRAYS.some(([name]) => arrays[name].length !== lengthOf(name))) {
    throw new Error(`a ${FORMAT} step output of the wrong length (${body.byteLength} bytes)`);
  }
  return { dataset: { rows, cardIds, ...arrays } as PriceDataset, sources };
}
