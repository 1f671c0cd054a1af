import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { sameShape } from './shape-helpers.js';

/**
 * `inputs: [a, b]` gives (NOT a) AND b = (1 - a) * b: the FIRST input is negated. SpikingJelly's SEW
 * BasicBlock computes identity * (1 - out), so there write `inputs: [blockOutput, identity]`.
 */
export interface IandLayerSpec extends LayerSpecBase {
  kind: 'iand';
  inputs: readonly [string, string];
}

/** SEW's IAND connect function: (NOT a) AND b = (1 - a) * b, the first input negated. */
export const iandKind = defineLayerKind({
  kind: 'iand',
  description: '(NOT a) AND b = (1 - a) * b for inputs [a, b] of one shape: the first input is negated (SEW IAND)',
  fields: {},
  inputs: { min: 2, max: 2 },
  outputShape: (inputs, l) => sameShape('iand', inputs, l),
});

declare module '../types.js' {
  interface LayerKinds {
    iand: IandLayerSpec;
  }
}
