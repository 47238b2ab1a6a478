import { createCatalog, loadBundledCatalog, type Catalog } from "../catalog/catalog.js";

/**
 * The sets the simulator prices by default: the 11 recent sets the catalog held before it held all
 * 170. Whatever walks "every card" at start-up (the first `pnpm start` simulating and training, the
 * load-test catalogs) walks these 2,080 cards, so a first start stays about 30 s, not 10× that;
 * search, `card`, `cards` and `sets` still serve every set.
 */
export const SIMULATED_SETS: readonly string[] = Object.freeze([
  "sv3pt5",
  "sv4pt5",
  "sv6pt5",
  "sv8",
  "sv8pt5",
  "sv9",
  "sv10",
  "zsv10pt5",
  "rsv10pt5",
  "me1",
  "me2",
]);

/**
 * The part of `catalog` in `setIds`, as a catalog of its own (same order, same cards). Sets the
 * catalog does not hold are left out; a catalog holding none of them gives an empty one.
 */
export function simulationCatalog(
  catalog: Catalog = loadBundledCatalog(),
  setIds: readonly string[] = SIMULATED_SETS,
): Catalog {
  const sets = catalog.sets().filter((set) => setIds.includes(set.id));
  return createCatalog({
    source: `the sets ${sets.map((set) => set.id).join(", ")} of a catalog of ${catalog.size} cards`,
    sets: [...sets],
    cards: sets.flatMap((set) => catalog.cards(set.id)),
  });
}
