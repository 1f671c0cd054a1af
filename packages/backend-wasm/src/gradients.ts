// Gradients of Sum, Mean and Tile while the wasm backend is active. tfjs-core's versions multiply dy by
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

/**
 * Tile's gradient as one sum over the repetitions: dy reshaped to [r0, d0, r1, d1, ...] and summed
 * over the r axes. tfjs-core's adds one slice of dy per repetition (a Slice and an Add each); for
 * an input repeated over T steps that is 2T kernels over the whole tensor instead of one.
 */
function tileGrad(original: GradConfig): GradConfig {
  return {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: NamedAttrMap) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const reps = attrs.reps as number[];
      const split = x.shape.flatMap((d, i) => [reps[i], d]);
      const repAxes = x.shape.map((_, i) => 2 * i).filter((a) => split[a] > 1);
      return { x: () => (repAxes.length === 0 ? tf.reshape(dy as tf.Tensor, x.shape) : tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), repAxes), x.shape)) };
    },
  };
}

let registered = false;

/** Replaces the Sum, Mean and Tile gradients (once); they defer to tfjs-core's off wasm. */
export function registerWasmGradients(): void {
  if (registered) return;
  for (const name of ['Sum', 'Mean'] as const) {
    const original = tf.getGradient(name);
    if (original == null) throw new Error(`@spikeflow/backend-wasm: tfjs has no gradient for ${name}`);
    tf.registerGradient(broadcastGrad(name, original));
  }
  const tileOriginal = tf.getGradient('Tile');
  if (tileOriginal == null) throw new Error('@spikeflow/backend-wasm: tfjs has no gradient for Tile');
  tf.registerGradient(tileGrad(tileOriginal));
  registered = true;
}
