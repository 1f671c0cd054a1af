// Dense layer (weights [features, units]) for one sample over its steps: each unit's float32 sum
// runs over the features in order, as the float network's product does, so the sums are
// bit-identical. On spikes, feature (position p, channel c) is row p * channels + c (the order in
// which flatten lays out [H, W, C]) and only set bits are visited.
import type { FloatValue, SpikeValue } from '../values.js';
import type { Epilogue } from './epilogue.js';

export function denseSpikes(input: SpikeValue, kernel: Float32Array, units: number, out: FloatValue, epilogue?: Epilogue): number {
  const { positions, channels, words } = input;
  const x = input.data;
  const o = out.data;
  let events = 0;
  for (let t = 0; t < input.steps; t++) {
    const ob = t * units;
    o.fill(0, ob, ob + units);
    for (let p = 0; p < positions; p++) {
      const ib = (t * positions + p) * words;
      for (let w = 0; w < words; w++) {
        let bits = x[ib + w];
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const row = (p * channels + (w << 5) + 31 - Math.clz32(low)) * units;
          for (let u = 0; u < units; u++) o[ob + u] += kernel[row + u];
          events++;
        }
      }
    }
    if (epilogue) epilogue.apply(o, ob);
  }
  return events * units;
}

export function denseFloat(input: FloatValue, kernel: Float32Array, units: number, out: FloatValue, epilogue?: Epilogue): number {
  const features = input.data.length / input.steps;
  const x = input.data;
  const o = out.data;
  const f = Math.fround;
  let done = 0;
  for (let t = 0; t < input.steps; t++) {
    const ob = t * units;
    o.fill(0, ob, ob + units);
    for (let k = 0; k < features; k++) {
      const v = x[t * features + k];
      if (v === 0) continue;
      const row = k * units;
      for (let u = 0; u < units; u++) o[ob + u] += f(v * kernel[row + u]);
      done++;
    }
    if (epilogue) epilogue.apply(o, ob);
  }
  return done * units;
}
