import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { sameShape } from './shape-helpers.js';

export interface AddLayerSpec extends LayerSpecBase {
  kind: 'add';
  inputs: readonly string[];
}

/** Element-wise sum of two or more inputs of one shape (SEW's ADD connect function on spikes). */
export const addKind = defineLayerKind({
  kind: 'add',
  description: 'element-wise sum of its inputs, all of one shape (SEW ADD)',
  fields: {},
  inputs: { min: 2 },
  outputShape: (inputs, l) => sameShape('add', inputs, l),
});

declare module '../types.js' {
  interface LayerKinds {
    add: AddLayerSpec;
  }
}
