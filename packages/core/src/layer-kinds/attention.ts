import * as tf from '@tensorflow/tfjs';
import { field, sameShape, showShape, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

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

export const attention = defineLayer({
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
  stateless: true,
  build(c) {
    const [h, w, channels] = c.inputShape;
    const heads = c.spec.heads as number;
    const scale = c.spec.scale as number;
    const d = channels / heads;
    const tokens = h * w;
    return {
      apply: () => {
        throw new Error('attention: takes [query, key, value] through applyMany');
      },
      applyMany: ([q, k, v]) => {
        const B = q.shape[0];
        // [B, tokens, heads, d] -> [B * heads, tokens, d]
        const split = (t: tf.Tensor) => t.reshape([B, tokens, heads, d]).transpose([0, 2, 1, 3]).reshape([B * heads, tokens, d]) as tf.Tensor3D;
        // Without softmax the product associates: Q (K^T V) costs tokens * d^2, not tokens^2 * d.
        const kv = tf.matMul(split(k), split(v), true, false);
        const out = tf.mul(tf.matMul(split(q), kv), scale);
        return out.reshape([B, heads, tokens, d]).transpose([0, 2, 1, 3]).reshape([B, h, w, channels]);
      },
    };
  },
  summary: (l) => `${String(l.heads)} head${l.heads === 1 ? '' : 's'}, scale ${String(l.scale)}, Q/K/V ${((l.inputs as string[] | undefined) ?? []).join(', ')}`,
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    attention: AttentionLayerSpec;
  }
}
