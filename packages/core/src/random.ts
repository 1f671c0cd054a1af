// The one seeded PRNG of spikeflow. It lives in core because core's own code needs it (reference
// vectors draw their inputs from it); @spikeflow/datasets shuffles, augments and builds its
// synthetic task with it.

/** mulberry32: tiny, fast, the same sequence on every machine for a seed. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
