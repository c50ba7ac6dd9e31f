/**
 * Seeded randomness for the generator. Every random quantity comes from its
 * own stream, keyed by the plan's seed, a purpose and an index (a customer, a
 * week, a region), so any piece can be recomputed on its own, in any order,
 * and still come out the same.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** What a stream is for; part of every stream's key, so streams never overlap. */
export const STREAM = {
  weekCounts: 1,
  newCustomers: 2,
  customer: 3,
  products: 4,
  buyers: 5,
  items: 6,
  dirt: 7,
} as const;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): fast, 128-bit state, good statistics. */
export function sfc32(a: number, b: number, c: number, d: number): Rng {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** The stream for a seed and a key (purpose, then indices). */
export function rngFor(seed: number, ...key: number[]): Rng {
  let h = fmix(seed ^ 0x9e3779b9);
  for (const k of key) {
    // Keys may exceed 32 bits (none do today); fold the high part in too.
    h = fmix(h ^ fmix((k >>> 0) + 0x7f4a7c15));
    h = fmix(h ^ Math.floor(k / 4294967296));
  }
  const rng = sfc32(fmix(h + 0x6a09e667), fmix(h + 0xbb67ae85), fmix(h + 0x3c6ef372), fmix(h + 0xa54ff53a));
  for (let i = 0; i < 12; i++) rng();
  return rng;
}

/** A whole number from `min` to `max`, both included. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One element of a non-empty list, uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** Draws indices with given weights: a cumulative table and a binary search. */
export class WeightedTable {
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new Error('a weighted table needs a positive total weight');
    this.total = sum;
  }

  /** The index whose weight interval holds `rng() * total`. */
  draw(rng: Rng): number {
    const target = rng() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
