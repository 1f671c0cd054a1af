import * as tf from '@tensorflow/tfjs';
import { attentionKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export const attention = defineLayer({
  ...attentionKind,
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
