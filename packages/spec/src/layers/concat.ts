import { defineLayerKind, showShape } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { checkedOutput, describeInputs } from './shape-helpers.js';

export interface ConcatLayerSpec extends LayerSpecBase {
  kind: 'concat';
  inputs: readonly string[];
}

/** Joins two or more inputs along the last (channel or feature) axis. */
export const concatKind = defineLayerKind({
  kind: 'concat',
  description: 'joins its inputs along the channel (last) axis; their other axes must match',
  fields: {},
  inputs: { min: 2 },
  outputShape(inputs, l) {
    const lead = inputs[0].slice(0, -1);
    const fits = inputs.every((s) => s.length === inputs[0].length && s.slice(0, -1).every((d, i) => d === lead[i]));
    if (!fits) return { problem: `concat needs inputs that differ only in the last (channel) axis, got ${describeInputs(inputs, l)}; all but the last axis must be ${showShape(lead)}`, field: 'inputs' };
    return checkedOutput([...lead, inputs.reduce((sum, s) => sum + s[s.length - 1], 0)]);
  },
});

declare module '../types.js' {
  interface LayerKinds {
    concat: ConcatLayerSpec;
  }
}
