import { xoroshiro128plus, type RandomGenerator } from "pure-rand";

const TWO_POW_32 = 4294967296;

/** The draws the simulator needs, all from one seeded xoroshiro128+ stream. */
export interface SeededRandom {
  /** Uniform on the open interval (0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Student-t with 4 degrees of freedom scaled to unit variance: mostly small steps, rare huge ones. */
  studentT4(): number;
  /** Poisson count; the mean is capped at 30 because the thin markets simulated never get near it. */
  poisson(mean: number): number;
}

/** murmur3's finaliser: spreads every input bit over the 32-bit output. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a, so a string key (a set id) can pick its own stream. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * A stream keyed by (seed, domain, index). Hashing the key into the full 128-bit state, rather than
 * calling `jump()` index times, makes card 19,999's stream as cheap to reach as card 0's while keeping
 * it a function of the seed and its own index only.
 */
export function createSeededRandom(seed: number, domain: number, index: number): SeededRandom {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  const state = [0, 1, 2, 3].map((k) =>
    mix32(mix32(lo ^ Math.imul(k + 1, 0x9e3779b9)) ^ mix32(hi + Math.imul(domain, 0x632be5ab) + k) ^ mix32(index + k)),
  );
  // xoroshiro's one forbidden state.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  const rng: RandomGenerator = xoroshiro128plus.fromState(state);
  // The first outputs after seeding from nearby keys are still correlated; skip them.
  for (let i = 0; i < 8; i++) rng.unsafeNext();

  let spareNormal = Number.NaN;
  const uniform = (): number => ((rng.unsafeNext() >>> 0) + 0.5) / TWO_POW_32;
  return {
    uniform,
    normal() {
      if (!Number.isNaN(spareNormal)) {
        const value = spareNormal;
        spareNormal = Number.NaN;
        return value;
      }
      const radius = Math.sqrt(-2 * Math.log(uniform()));
      const angle = 2 * Math.PI * uniform();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    studentT4() {
      // Bailey's polar method. With 4 degrees of freedom its w^(-2/ν) is a square root, not a pow,
      // which halves the cost of the simulator's commonest draw; t(4) has variance 2.
      for (;;) {
        const u = 2 * uniform() - 1;
        const v = 2 * uniform() - 1;
        const w = u * u + v * v;
        if (w >= 1) continue;
        return u * Math.sqrt((2 * (1 / Math.sqrt(w) - 1)) / w);
      }
    },
    poisson(mean) {
      const limit = Math.exp(-Math.min(mean, 30));
      let count = -1;
      let product = 1;
      do {
        count++;
        product *= uniform();
      } while (product > limit);
      return count;
    },
  };
}
