import {
  createCatalog,
  createMarketSimulator,
  loadBundledCatalog,
  simulatedCatalogData,
  type Catalog,
  type PriceSeries,
} from "@pokewatch/market";
import { FEATURE_COUNT, buildPriceDataset, catalogAttributes } from "@pokewatch/model";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MODEL_SRC_URL, sha256Hex } from "./content-hash.js";
import {
  deserializeFeatures,
  featureCodeVersion,
  featuresStep,
  serializeFeatures,
  type FeaturesOutput,
} from "./features-step.js";
import { DEFAULT_PIPELINE_OPTIONS, StepFailure, StepStop, type StepContext } from "./step.js";
import { validatePrices, type ValidateOutput } from "./validate-step.js";

const catalogData = simulatedCatalogData(30, loadBundledCatalog());
const catalog = createCatalog(catalogData);

function simulatedSeries(days: number): PriceSeries[] {
  const simulator = createMarketSimulator({ cards: 30, days, seed: 3, endDate: "2026-11-27", catalog });
  return simulator.cards.map((card, i) => ({ cardId: card.id, points: simulator.simulateCardSeries(i) }));
}

function validated(series: PriceSeries[]): ValidateOutput {
  const { report } = validatePrices(series, DEFAULT_PIPELINE_OPTIONS);
  return { series, sources: ["simulator seed=3"], dataHash: "data", simulated: true, report };
}

/** Features read the catalog and report progress; nothing else of the context. */
function contextWith(withCatalog: Catalog = catalog) {
  const messages: string[] = [];
  const ctx = {
    catalog: withCatalog,
    options: DEFAULT_PIPELINE_OPTIONS,
    progress: (message: string) => {
      messages.push(message);
    },
  } as StepContext;
  return { ctx, messages };
}

describe("features step", () => {
  it("builds one row per card and day with a 7-day future, and carries the sources", async () => {
    const { ctx, messages } = contextWith();
    const input = validated(simulatedSeries(90));
    const { output, outputHash, message } = await featuresStep.run(ctx, input);

    expect(output.sources).toEqual(["simulator seed=3"]);
    expect(output.dataset).toEqual(buildPriceDataset(input.series, catalogAttributes(catalog)));
    expect(output.dataset.rows).toBe(30 * (90 - 7));
    expect(message).toBe(`2,490 rows × ${FEATURE_COUNT} features from 30 cards`);
    expect(messages).toEqual(["building features for 30 cards"]);
    expect(outputHash).toBe((await featuresStep.run(ctx, input)).outputHash);
    expect(outputHash).toBe(sha256Hex(...splitParts(serializeFeatures(output))));
  });

  it("says how many cards the catalog does not know (they train without rarity or set age)", async () => {
    const series = simulatedSeries(40).slice(0, 3);
    series[0] = { cardId: "zz-1", points: series[0]!.points.map((p) => ({ ...p, cardId: "zz-1" })) };
    const { message } = await featuresStep.run(contextWith().ctx, validated(series));
    expect(message).toBe(
      `99 rows × ${FEATURE_COUNT} features from 3 cards (1 not in the catalog: no rarity or set age)`,
    );
  });

  it("stops the run (StepStop, not a failure) while no card has more than 7 days of prices", async () => {
    const error = await featuresStep
      .run(contextWith().ctx, validated(simulatedSeries(7).slice(0, 2)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepStop);
    expect((error as Error).message).toBe(
      "not enough history to train yet: the longest of the 2 cards' price histories is 7 days, and training " +
        "needs more than 7 (about 4 weeks for good features); each daily run adds a day, or import or backfill history (docs/data.md)",
    );
    // One day, as on the first day of collecting: the same, in the singular.
    await expect(featuresStep.run(contextWith().ctx, validated(simulatedSeries(1).slice(0, 3)))).rejects.toThrow(
      /the longest of the 3 cards' price histories is 1 day, /,
    );
    // One card with 8 days is enough for rows.
    const { output } = await featuresStep.run(contextWith().ctx, validated(simulatedSeries(8).slice(0, 1)));
    expect(output.dataset.rows).toBe(1);
  });

  it("fails with the model's message when a feature is not a number", async () => {
    const broken = createCatalog({
      ...catalogData,
      sets: catalogData.sets.map((set) => ({ ...set, releaseDate: "someday" })),
    });
    const error = await featuresStep
      .run(contextWith(broken).ctx, validated(simulatedSeries(20)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^card .+ on \d{4}-\d{2}-\d{2}: feature set_age_days is NaN;/);
  });
});

describe("features cache input", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });
  /** A copy of the model package's source, with `file` changed when given. */
  function modelSource(file?: string): URL {
    const copy = mkdtempSync(join(tmpdir(), "model-src-"));
    copies.push(copy);
    cpSync(fileURLToPath(MODEL_SRC_URL), copy, { recursive: true });
    if (file) appendFileSync(join(copy, file), "\n// changed\n");
    return pathToFileURL(`${copy}/`);
  }

  it("is the same for the same catalog and code", async () => {
    const key = await featuresStep.cacheInput!(contextWith().ctx);
    expect(await featuresStep.cacheInput!(contextWith(createCatalog(structuredClone(catalogData))).ctx)).toBe(key);
    expect(key).toContain(featureCodeVersion());
  });

  it("changes with a card's rarity or a set's release date", async () => {
    const key = await featuresStep.cacheInput!(contextWith().ctx);
    const card = catalogData.cards[0]!;
    const cards = catalogData.cards.map((c) => (c === card ? { ...c, rarity: "Something Else" } : c));
    expect(await featuresStep.cacheInput!(contextWith(createCatalog({ ...catalogData, cards })).ctx)).not.toBe(key);
    const sets = catalogData.sets.map((s) => (s.id === card.setId ? { ...s, releaseDate: "2001-02-03" } : s));
    expect(await featuresStep.cacheInput!(contextWith(createCatalog({ ...catalogData, sets })).ctx)).not.toBe(key);
  });

  it("changes with the model package's feature code, not with its training code", () => {
    const version = featureCodeVersion(modelSource());
    expect(version).toBe(featureCodeVersion());
    expect(featureCodeVersion(modelSource("features/feature-set.ts"))).not.toBe(version);
    expect(featureCodeVersion(modelSource("training/price-dataset.ts"))).not.toBe(version);
    expect(featureCodeVersion(modelSource("training/train-gbdt.ts"))).toBe(version);
  });
});

describe("features output", () => {
  const output = (): FeaturesOutput => {
    const dataset = buildPriceDataset(simulatedSeries(30), catalogAttributes(catalog));
    dataset.target[0] = Number.NaN;
    dataset.features[1] = Number.NEGATIVE_INFINITY;
    return { dataset, sources: ["tcgplayer", "pokemontcg.io"] };
  };

  it("survives serialize and deserialize unchanged, bit for bit", () => {
    const original = output();
    const body = featuresStep.serialize!(original);
    const back = featuresStep.deserialize!(body);
    expect(back).toEqual(original);
    expect(back.dataset.features).toBeInstanceOf(Float32Array);
    expect(back.dataset.card).toBeInstanceOf(Uint32Array);
    expect(serializeFeatures(back).equals(body)).toBe(true);
  });

  it("reads a body that sits at an odd offset of a larger buffer", () => {
    const original = output();
    const body = serializeFeatures(original);
    const shifted = Buffer.concat([Buffer.from([0]), body]).subarray(1);
    expect(deserializeFeatures(shifted)).toEqual(original);
  });

  it("refuses a truncated body and one of another format", () => {
    const body = serializeFeatures(output());
    expect(() => deserializeFeatures(body.subarray(0, body.length - 4))).toThrow(/wrong length|Invalid typed array/);
    const header = Buffer.from(JSON.stringify({ format: "other" }));
    const other = Buffer.concat([Buffer.from([header.length, 0, 0, 0]), header]);
    expect(() => deserializeFeatures(other)).toThrow(/not a pokewatch\.features\/1 step output/);
  });
});

/** The header and array bytes of a serialized body, as the output hash sees them. */
function splitParts(body: Buffer): Uint8Array[] {
  const headerEnd = 4 + body.readUInt32LE(0);
  const { byteLengths } = JSON.parse(body.subarray(4, headerEnd).toString()) as { byteLengths: number[] };
  let offset = headerEnd;
  return [body.subarray(4, headerEnd), ...byteLengths.map((length) => body.subarray(offset, (offset += length)))];
}
