import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { elements } from './shape-helpers.js';

export interface FlattenLayerSpec extends LayerSpecBase {
  kind: 'flatten';
}

/** Flattens each sample to [features], in (height, width, channels) order. */
export const flattenKind = defineLayerKind({
  kind: 'flatten',
  description: 'flattens each sample to [features]',
  fields: {},
  outputShape: ([input]) => [elements(input)],
});

declare module '../types.js' {
  interface LayerKinds {
    flatten: FlattenLayerSpec;
  }
}
