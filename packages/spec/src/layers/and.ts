import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { sameShape } from './shape-helpers.js';

export interface AndLayerSpec extends LayerSpecBase {
  kind: 'and';
  inputs: readonly string[];
}

/** SEW's AND connect function: the product of its spike inputs (1 where every input spiked). */
export const andKind = defineLayerKind({
  kind: 'and',
  description: 'spikes where every input spiked: the product of its inputs, all of one shape (SEW AND)',
  fields: {},
  inputs: { min: 2 },
  outputShape: (inputs, l) => sameShape('and', inputs, l),
});

declare module '../types.js' {
  interface LayerKinds {
    and: AndLayerSpec;
  }
}
