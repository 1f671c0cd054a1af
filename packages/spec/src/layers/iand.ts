import type { LayerSpecBase } from '../types.js';
import { sameShapeMerge } from './shape-helpers.js';

/**
 * `inputs: [a, b]` gives (NOT a) AND b = (1 - a) * b: the FIRST input is negated. SpikingJelly's SEW
 * BasicBlock computes identity * (1 - out), so there write `inputs: [blockOutput, identity]`.
 */
export interface IandLayerSpec extends LayerSpecBase {
  kind: 'iand';
  inputs: readonly [string, string];
}

/** SEW's IAND connect function: (NOT a) AND b = (1 - a) * b, the first input negated. */
export const iandKind = sameShapeMerge('iand', '(NOT a) AND b = (1 - a) * b for inputs [a, b] of one shape: the first input is negated (SEW IAND)', { min: 2, max: 2 });

declare module '../types.js' {
  interface LayerKinds {
    iand: IandLayerSpec;
  }
}
