// Gradients of Sum and Mean while the wasm backend is active. tfjs-core's versions multiply dy by
// a ones tensor of the input's shape, which it fills in JS and then copies into the wasm heap:
// on batch-norm statistics of a CSNN that costs more than the whole reduction. Broadcasting dy
// with the Tile kernel gives the identical values. Other backends keep tfjs-core's gradients.
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';

function broadcastGrad(kernelName: 'Sum' | 'Mean', original: GradConfig): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: NamedAttrMap) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return {
        x: () => {
          const expanded = tf.reshape(dy as tf.Tensor, expandedShape);
          const scaled = kernelName === 'Mean' ? tf.div(expanded, count) : expanded;
          return tf.broadcastTo(scaled, x.shape);
        },
      };
    },
  };
}

let registered = false;

/** Replaces the Sum and Mean gradients (once); they defer to tfjs-core's off wasm. */
export function registerWasmGradients(): void {
  if (registered) return;
  for (const name of ['Sum', 'Mean'] as const) {
    const original = tf.getGradient(name);
    if (original == null) throw new Error(`@spikeflow/backend-wasm: tfjs has no gradient for ${name}`);
    tf.registerGradient(broadcastGrad(name, original));
  }
  registered = true;
}
