/**
 * Bytes, load time and heap of the bundled catalog, and the time of catalog searches.
 *
 *   node --expose-gc --import tsx bench/catalog-footprint.ts
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import {
  BUNDLED_CATALOG_FILE,
  createCatalog,
  decodeCatalog,
  loadBundledCatalog,
  type CompactCatalog,
} from "@pokewatch/market";

const { gc } = globalThis as { gc?: () => void };
if (!gc) throw new Error("run with node --expose-gc, so the heap a catalog keeps can be measured");
const print = (line: string) => process.stdout.write(`${line}\n`);
const file = readFileSync(BUNDLED_CATALOG_FILE);
print(`file: ${file.length} bytes raw, ${gzipSync(file, { level: 9 }).length} bytes gzip -9`);

gc();
gc();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const catalog = loadBundledCatalog();
const loadMs = performance.now() - t0;
gc();
gc();
const heap1 = process.memoryUsage().heapUsed;
print(
  `first load: ${loadMs.toFixed(1)} ms, heap +${((heap1 - heap0) / 1e6).toFixed(2)} MB retained; ${catalog.sets().length} sets, ${catalog.size} cards`,
);
const loads: number[] = [];
const keep: unknown[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  keep.push(createCatalog(decodeCatalog(JSON.parse(readFileSync(BUNDLED_CATALOG_FILE, "utf8")) as CompactCatalog)));
  loads.push(performance.now() - t);
}
loads.sort((a, b) => a - b);
print(`load median of 5 more: ${loads[2]!.toFixed(1)} ms`);
const time = (label: string, fn: () => unknown) => {
  const xs: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  print(`${label}: p50 ${(xs[250]! * 1000).toFixed(0)} µs, p95 ${(xs[475]! * 1000).toFixed(0)} µs`);
};
time("search name=pikachu", () => catalog.search({ name: "pikachu" }));
time("search no filter", () => catalog.search({ first: 100 }));
time("search setId=sv3pt5", () => catalog.search({ setId: "sv3pt5" }));
time("search rarity", () => catalog.search({ rarity: "Special Illustration Rare" }));
time("card(id)", () => catalog.card("sv3pt5-199"));
