// Seeded randomness: shuffles, augmentation and Poisson encoding must repeat exactly for a seed.
// The generator is core's (one PRNG for all of spikeflow); this file adds what datasets do with it.
import { seededRandom } from '@spikeflow/core';

/** mulberry32 from @spikeflow/core (`seededRandom`): floats in [0, 1), the same on every machine. */
export const createRng: (seed: number) => () => number = seededRandom;

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(items: T, rng: () => number): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** A permutation of 0..n-1 for the given seed. */
export function permutation(n: number, seed: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return shuffleInPlace(idx, createRng(seed));
}
