import type { LayerSpecBase } from '../types.js';
import { sameShapeMerge } from './shape-helpers.js';

export interface AddLayerSpec extends LayerSpecBase {
  kind: 'add';
  inputs: readonly string[];
}

/** Element-wise sum of two or more inputs of one shape (SEW's ADD connect function on spikes). */
export const addKind = sameShapeMerge('add', 'element-wise sum of its inputs, all of one shape (SEW ADD)', { min: 2 });

declare module '../types.js' {
  interface LayerKinds {
    add: AddLayerSpec;
  }
}
