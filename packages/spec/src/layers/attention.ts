import { field } from '../fields.js';
import { defineLayerKind, showShape } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';
import { sameShape } from './shape-helpers.js';

export interface AttentionLayerSpec extends LayerSpecBase {
  kind: 'attention';
  /** [query, key, value], each [height, width, channels]: tokens are pixels, features channels. */
  inputs: readonly [string, string, string];
  heads?: number;
  scale?: number;
}

/**
 * Spiking self-attention without softmax (Spikformer's SSA): per step and head,
 * out = scale * Q (K^T V), tokens the height x width positions and features the channels. Q, K and V
 * are its three inputs, spikes in Spikformer (1x1 conv, batch norm and a neuron each).
 */
export const attentionKind = defineLayerKind({
  kind: 'attention',
  description: 'spiking self-attention without softmax: scale * Q (K^T V) per head, inputs [query, key, value], each [height, width, channels]',
  fields: {
    heads: field.integer({ exclusiveMin: 0, default: 1, description: 'number of heads; divides the channels' }),
    scale: field.number({ default: 0.125, description: 'factor on the attention (Spikformer: 0.125)' }),
  },
  inputs: { min: 3, max: 3 },
  outputShape(inputs, l) {
    const shape = sameShape('attention', inputs, l);
    if (!Array.isArray(shape)) return shape;
    if (shape.length !== 3) return { problem: `attention expects inputs [height, width, channels], got ${showShape(shape)}`, field: 'inputs' };
    if (shape[2] % (l.heads as number) !== 0) return { problem: `${l.heads} heads do not divide the ${shape[2]} channels`, field: 'heads' };
    return shape;
  },
});

declare module '../types.js' {
  interface LayerKinds {
    attention: AttentionLayerSpec;
  }
}
