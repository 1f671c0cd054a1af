import { field } from '../fields.js';
import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';

export interface BatchNormLayerSpec extends LayerSpecBase {
  kind: 'batchNorm';
  /** Weight of the new batch statistic in the running average (PyTorch convention). */
  momentum?: number;
  epsilon?: number;
}

/** Batch normalisation over the last (channel) axis; statistics over T*N(*H*W) while training. */
export const batchNormKind = defineLayerKind({
  kind: 'batchNorm',
  description: 'batch normalisation over the channel axis',
  fields: {
    momentum: field.number({ min: 0, max: 1, default: 0.1, description: 'weight of the batch statistic in the running average (PyTorch convention)' }),
    epsilon: field.number({ exclusiveMin: 0, default: 1e-5, description: 'added to the variance' }),
  },
  outputShape: ([input]) => input,
});

declare module '../types.js' {
  interface LayerKinds {
    batchNorm: BatchNormLayerSpec;
  }
}
