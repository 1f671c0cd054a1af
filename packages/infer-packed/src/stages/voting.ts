// Voting for one sample: per step, the mean of each group of units (the float network's mean over
// the group: a float32 sum in order, then divided by the group size).
import { spikeAt, type FloatValue, type SpikeValue, type Value } from '../values.js';

export function vote(input: Value, groups: number, out: FloatValue): void {
  const units = input.shape[0];
  const size = units / groups;
  const o = out.data;
  const f = Math.fround;
  if (input.kind === 'spikes') {
    const s = input as SpikeValue;
    for (let t = 0; t < s.steps; t++) {
      for (let g = 0; g < groups; g++) {
        let count = 0;
        for (let u = g * size; u < (g + 1) * size; u++) count += spikeAt(s, t, u);
        o[t * groups + g] = f(count / size);
      }
    }
    return;
  }
  for (let t = 0; t < input.steps; t++) {
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let u = g * size; u < (g + 1) * size; u++) sum = f(sum + input.data[t * units + u]);
      o[t * groups + g] = f(sum / size);
    }
  }
}
