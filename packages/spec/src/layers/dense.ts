import { field } from '../fields.js';
import { defineLayerKind, showShape } from '../layer-kind.js';
import { SPEC_LIMITS } from '../limits.js';
import type { LayerSpecBase } from '../types.js';
import { tooLarge } from './shape-helpers.js';

export interface DenseLayerSpec extends LayerSpecBase {
  kind: 'dense';
  units: number;
  useBias?: boolean;
}

/** Fully connected layer on a flat input [features]. */
export const denseKind = defineLayerKind({
  kind: 'dense',
  description: 'fully connected layer on a flat input [features]',
  fields: {
    units: field.integer({ exclusiveMin: 0, description: 'number of outputs' }),
    useBias: field.boolean({ default: true, description: 'add a learned bias per unit' }),
  },
  outputShape([input], l) {
    if (input.length !== 1) return { problem: `dense expects a flat input [features], but the input here is ${showShape(input)}: add { "kind": "flatten" } before it` };
    if (tooLarge(input[0] * (l.units as number))) return { problem: `a ${input[0]}x${l.units} kernel has more than ${SPEC_LIMITS.maxTensorElements} values` };
    return [l.units as number];
  },
});

declare module '../types.js' {
  interface LayerKinds {
    dense: DenseLayerSpec;
  }
}
