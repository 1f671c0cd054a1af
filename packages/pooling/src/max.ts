import * as tf from '@tensorflow/tfjs';
import { definePool, type PoolWindow } from '@spikeflow/core';
import { kernelTraits, releaseSaved, releaseUpstreamGradient } from '@spikeflow/core/backend';

/** Backends named by declareFirstMaxPoolGrad (kept for packages that still call it). */
const declaredBackends = new Set<string>();

/**
 * Declares that `backendName`'s MaxPoolGrad routes to the first maximum (row-major) of each window.
 * @deprecated Declare `traits: { firstMaxPoolGrad: true }` on the MaxPoolGrad kernel config instead:
 * the trait then goes with the kernel and leaves when another kernel replaces it.
 */
export function declareFirstMaxPoolGrad(backendName: string): void {
  declaredBackends.add(backendName);
}

/**
 * Whether the current backend's MaxPoolGrad sends the gradient to the FIRST maximum of each window in
 * row-major order, as its kernel declares (spikeflow's cpu, wasm and webgpu backends do). There, max
 * pooling is tfjs's own op; elsewhere the backward pass picks the first maximum with portable ops.
 */
function routesToFirstMax(): boolean {
  const backend = tf.getBackend();
  return kernelTraits('MaxPoolGrad', backend).firstMaxPoolGrad === true || declaredBackends.has(backend);
}

/**
 * Max pooling. On spikes a window often holds several maxima (ties of 1s); the gradient goes to the
 * FIRST maximum in row-major order, as PyTorch (and so SpikingJelly) does, on every backend.
 */
export const maxPool = definePool({
  kind: 'max',
  description: 'max pooling; gradient to the first maximum of each window (row-major)',
  options: {},
  apply: (x, window) =>
    isTiling(window, x) && !routesToFirstMax()
      ? firstMaxPool(x, window)
      : tf.maxPool(x, window.size, window.stride, window.padding),
  preservesSpikes: true,
  applyToSpikes: (x, window) => {
    if (routesToFirstMax()) return maxPoolSpikes(x, window);
    return isTiling(window, x) ? firstMaxPool(x, window, true) : tf.maxPool(x, window.size, window.stride, window.padding);
  },
});

/**
 * tfjs's max pooling (on a backend whose MaxPoolGrad routes to the first maximum) of spikes, keeping
 * its input and output as bool for the gradient instead of float32: the same kernel gets the same
 * 0/1 values back.
 */
function maxPoolSpikes(x: tf.Tensor4D, window: PoolWindow): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const output = tf.maxPool(input, window.size, window.stride, window.padding);
    (args[1] as tf.GradSaveFunc)([tf.cast(input, 'bool'), tf.cast(output, 'bool')]);
    return {
      value: output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [inputBool, outputBool] = saved;
        // A kernel that takes bool spikes gets them as they are: no float32 copy of the input.
        const asBool = kernelTraits('MaxPoolGrad', tf.getBackend()).boolMaxPoolGradInputs === true;
        const dx = tf.tidy(() => tf.engine().runKernel(tf.MaxPoolGrad, {
          dy,
          input: asBool ? inputBool : tf.cast(inputBool, 'float32'),
          output: asBool ? outputBool : tf.cast(outputBool, 'float32'),
        }, { filterSize: window.size, strides: window.stride, pad: window.padding } as unknown as tf.NamedAttrMap) as tf.Tensor);
        releaseUpstreamGradient(dy, output);
        releaseSaved(saved);
        return dx;
      },
    };
  });
  return f(x) as tf.Tensor4D;
}

/** Non-overlapping windows without padding: the paper's case, where first-max routing is exact. */
function isTiling(w: PoolWindow, x: tf.Tensor4D): boolean {
  return w.padding === 'valid' && w.stride[0] === w.size[0] && w.stride[1] === w.size[1] && x.shape[1] >= w.size[0] && x.shape[2] >= w.size[1];
}

/**
 * Max pooling over non-overlapping windows whose backward pass routes dY to the first maximum of
 * each window with portable tfjs ops (any backend).
 */
export function firstMaxPool(x: tf.Tensor4D, window: PoolWindow, spikes = false): tf.Tensor4D {
  const [kh, kw] = window.size;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    // Spikes (0/1) are kept as bool: exact, and a quarter of float32's bytes.
    (args[1] as tf.GradSaveFunc)([spikes ? tf.cast(input, 'bool') : input]);
    const value = tf.maxPool(input as tf.Tensor4D, window.size, window.stride, 'valid');
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [kept] = saved;
        const grads = tf.tidy(() => {
          const saved = spikes ? tf.cast(kept, 'float32') : kept;
          const [B, H, W, C] = saved.shape;
          const Ho = Math.floor(H / kh);
          const Wo = Math.floor(W / kw);
          // [windows, kh*kw]: each window's values in row-major order (2-D: every backend's cumsum supports it).
          const cropped = Ho * kh === H && Wo * kw === W ? saved : tf.slice(saved, [0, 0, 0, 0], [B, Ho * kh, Wo * kw, C]);
          const windows = cropped.reshape([B, Ho, kh, Wo, kw, C]).transpose([0, 1, 3, 5, 2, 4]).reshape([B * Ho * Wo * C, kh * kw]);
          const isMax = tf.cast(tf.equal(windows, tf.max(windows, 1, true)), 'float32');
          // First maximum: a maximum with no maximum before it in the window.
          const first = tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 1, true), 0), 'float32'));
          const routed = tf.mul(first, dy.reshape([B * Ho * Wo * C, 1]));
          let dx = routed.reshape([B, Ho, Wo, C, kh, kw]).transpose([0, 1, 4, 2, 5, 3]).reshape([B, Ho * kh, Wo * kw, C]);
          if (Ho * kh !== H || Wo * kw !== W) dx = tf.pad(dx, [[0, 0], [0, H - Ho * kh], [0, W - Wo * kw], [0, 0]]);
          return dx;
        });
        releaseUpstreamGradient(dy, value);
        releaseSaved(saved);
        return grads;
      },
    };
  });
  return f(x) as tf.Tensor4D;
}
