import type { LayerSpecBase } from '../types.js';
import { sameShapeMerge } from './shape-helpers.js';

export interface AndLayerSpec extends LayerSpecBase {
  kind: 'and';
  inputs: readonly string[];
}

/** SEW's AND connect function: the product of its spike inputs (1 where every input spiked). */
export const andKind = sameShapeMerge('and', 'spikes where every input spiked: the product of its inputs, all of one shape (SEW AND)', { min: 2 });

declare module '../types.js' {
  interface LayerKinds {
    and: AndLayerSpec;
  }
}
