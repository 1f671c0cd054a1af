// Spikes kept for the backward pass, stored as bool instead of float32. A layer that consumes spikes
// (a convolution, a dense layer, max pooling) keeps its input for its gradient; spikes are 0 or 1,
// so a bool copy (1 byte where the backend stores bool in bytes) holds them exactly, and the
// gradient casts it back to the same float32 values. The gradients are computed by the same kernels
// tfjs's own gradients use, so they are bit-identical.
import * as tf from '@tensorflow/tfjs';
import { releaseSaved, releaseUpstreamGradient } from './gradient-release.js';

// Off by default: tfjs's Cast to bool and back costs more than it saves in time (about 8% of a wasm
// CSNN step); it saves memory (13% of a wasm CSNN step's peak at T = 128), so turn it on per backend
// where memory binds. Backends that store bool in 32 bits (WebGPU) gain nothing from it.
const boolBackends = new Set<string>();

/** Whether layers on `backendName` keep the spikes they consume as bool for their gradient (default: no). */
export function spikesSavedAsBool(backendName = tf.getBackend()): boolean {
  return boolBackends.has(backendName);
}

/** Sets whether layers on `backendName` keep the spikes they consume as bool (true) or float32. */
export function setSpikesSavedAsBool(backendName: string, asBool: boolean): void {
  if (asBool) boolBackends.add(backendName);
  else boolBackends.delete(backendName);
}

/** True while tfjs records operations for a gradient: only then is anything kept for backward. */
function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/** Whether a layer consuming spikes should take its bool-saving path now (on, and a gradient is recorded). */
export function saveSpikesAsBoolNow(): boolean {
  return spikesSavedAsBool() && recordingGradients();
}

/** The bool copy of spikes to save, and its float32 values back in a gradient. */
export const toSaved = (spikes: tf.Tensor): tf.Tensor => tf.cast(spikes, 'bool');
export const fromSaved = (saved: tf.Tensor): tf.Tensor => tf.cast(saved, 'float32');

/**
 * A reshape that keeps nothing for its gradient (tfjs's Reshape keeps its input, only for its
 * shape), and whose gradient frees the gradient it receives once reshaped (tfjs keeps it until the
 * whole backward pass ends). A reshape moves no value, so the gradients are the same bits.
 */
export function reshapeKeepingNothing(x: tf.Tensor, shape: number[]): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const value = tf.reshape(input, shape);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const dx = tf.reshape(dy, input.shape);
        releaseUpstreamGradient(dy, value);
        return dx;
      },
    };
  });
  return f(x) as tf.Tensor;
}

/** x @ w for spikes x [B, F]: keeps x as bool for the gradient. */
export function matMulSpikes(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, weights, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([toSaved(input), weights]);
    const value = tf.matMul(input, weights);
    return {
      value,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => {
        const [saved, ws] = kept;
        const grads = tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, ws as tf.Tensor2D, false, true), tf.matMul(fromSaved(saved) as tf.Tensor2D, dy as tf.Tensor2D, true, false)]);
        releaseUpstreamGradient(dy, value);
        releaseSaved(kept);
        return grads;
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/** conv2d (NHWC, no dilation) of spikes x: keeps x as bool for the gradient. */
export function conv2dSpikes(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], pad: 'same' | 'valid'): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, kernel, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([toSaved(input), kernel]);
    const value = tf.conv2d(input, kernel, strides, pad);
    return {
      value,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => {
        const [saved, k] = kept;
        const grads = tf.tidy(() => {
          const attrs = { strides, pad, dataFormat: 'NHWC' };
          const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: k }, { ...attrs, inputShape: saved.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
          const xf = fromSaved(saved);
          const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xf, dy }, { ...attrs, filterShape: k.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
          return [dx, dw];
        });
        releaseUpstreamGradient(dy, value);
        releaseSaved(kept);
        return grads;
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}
