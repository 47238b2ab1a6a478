import type { PricePoint, PriceSeries } from "@pokewatch/market";

/**
 * Price series as columns of typed arrays, to hand to a compute worker: a quarter of a million
 * point objects cost ~300 ms of structured cloning on the sending thread, these columns a copy.
 * Lossless: dates and sources are kept as the strings they were (validate checks them), nulls apart.
 */
export interface PackedSeries {
  cardIds: string[];
  /** Points of card i are at offsets[i] … offsets[i + 1] - 1. */
  offsets: Uint32Array;
  dates: string[];
  dateIndex: Uint32Array;
  sources: string[];
  sourceIndex: Uint32Array;
  market: Float64Array;
  low: Float64Array;
  high: Float64Array;
  volume: Float64Array;
  /** Bit 0: low is null, bit 1: high, bit 2: volume. */
  nulls: Uint8Array;
}

const NULL_BITS = { low: 1, high: 2, volume: 4 } as const;

const packs = new WeakMap<readonly PriceSeries[], PackedSeries>();

/**
 * The series packed, once per series array: ingest, validate and features hand the same array on
 * (copied to each worker, never transferred, so the pack stays whole).
 */
export function packedOnce(series: readonly PriceSeries[]): PackedSeries {
  let packed = packs.get(series);
  if (!packed) packs.set(series, (packed = packSeries(series)));
  return packed;
}

export function packSeries(series: readonly PriceSeries[]): PackedSeries {
  const total = series.reduce((sum, s) => sum + s.points.length, 0);
  const packed: PackedSeries = {
    cardIds: series.map((s) => s.cardId),
    offsets: new Uint32Array(series.length + 1),
    dates: [],
    dateIndex: new Uint32Array(total),
    sources: [],
    sourceIndex: new Uint32Array(total),
    market: new Float64Array(total),
    low: new Float64Array(total),
    high: new Float64Array(total),
    volume: new Float64Array(total),
    nulls: new Uint8Array(total),
  };
  const dateIds = new Map<string, number>();
  const sourceIds = new Map<string, number>();
  const idOf = (ids: Map<string, number>, list: string[], value: string) => {
    let id = ids.get(value);
    if (id === undefined) ids.set(value, (id = list.push(value) - 1));
    return id;
  };
  let at = 0;
  series.forEach(({ points }, i) => {
    for (const p of points) {
      packed.dateIndex[at] = idOf(dateIds, packed.dates, p.date);
      packed.sourceIndex[at] = idOf(sourceIds, packed.sources, p.source);
      packed.market[at] = p.market;
      packed.low[at] = p.low ?? 0;
      packed.high[at] = p.high ?? 0;
      packed.volume[at] = p.volume ?? 0;
      packed.nulls[at] =
        (p.low === null ? NULL_BITS.low : 0) |
        (p.high === null ? NULL_BITS.high : 0) |
        (p.volume === null ? NULL_BITS.volume : 0);
      at++;
    }
    packed.offsets[i + 1] = at;
  });
  return packed;
}

export function unpackSeries(packed: PackedSeries): PriceSeries[] {
  const { cardIds, offsets, dates, dateIndex, sources, sourceIndex, market, low, high, volume, nulls } = packed;
  return cardIds.map((cardId, i) => {
    const points: PricePoint[] = [];
    for (let at = offsets[i]!; at < offsets[i + 1]!; at++) {
      const bits = nulls[at]!;
      points.push({
        cardId,
        date: dates[dateIndex[at]!]!,
        market: market[at]!,
        low: bits & NULL_BITS.low ? null : low[at]!,
        high: bits & NULL_BITS.high ? null : high[at]!,
        volume: bits & NULL_BITS.volume ? null : volume[at]!,
        source: sources[sourceIndex[at]!]!,
      });
    }
    return { cardId, points };
  });
}

/** The buffers of a packed series, for a transfer list (the sender gives them up). */
export const packedBuffers = (p: PackedSeries): ArrayBuffer[] =>
  [p.offsets, p.dateIndex, p.sourceIndex, p.market, p.low, p.high, p.volume, p.nulls].map(
    (a) => a.buffer as ArrayBuffer,
  );
