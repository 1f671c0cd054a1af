import type { NormalizedLayer } from '@spikeflow/spec';
import { NirError } from './errors.js';
import type { SpikeflowModel, Weight } from './model.js';

/**
 * Folds every batch-norm layer into the conv2d or dense layer right before it, with its running
 * statistics (inference mode): per output channel c,
 *   s = gamma / sqrt(runningVar + eps),  W'[..., c] = W[..., c] * s,  b' = (b - runningMean) * s + beta.
 * Computed in float64, stored as float32. The result has no batch norm and the same names otherwise.
 */
export function foldBatchNorm(model: SpikeflowModel): SpikeflowModel {
  const layers: NormalizedLayer[] = [];
  const weights: Record<string, Weight> = { ...model.weights };
  model.spec.layers.forEach((layer, i) => {
    if (layer.kind !== 'batchNorm') {
      layers.push({ ...layer });
      return;
    }
    const bn = layer.name!;
    const prev = layers[layers.length - 1];
    if (!prev || (prev.kind !== 'conv2d' && prev.kind !== 'dense')) {
      throw new NirError(
        `layers[${i}] "${bn}": batch norm can be folded only into a conv2d or dense layer right before it; here it follows ${prev ? `a ${prev.kind} layer "${prev.name}"` : 'the input'}`,
      );
    }
    const target = prev.name!;
    const get = (name: string) => {
      const w = weights[name];
      if (!w) throw new NirError(`layers[${i}] "${bn}": weight "${name}" is missing`);
      return w.data;
    };
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((p) => get(`${bn}/${p}`));
    const eps = layer.epsilon as number;
    const kernel = weights[`${target}/kernel`];
    const channels = gamma.length;
    const scale = Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + eps));
    // The output channel is the last axis of both conv2d [kh, kw, cin, cout] and dense [in, out] kernels.
    const folded = Float32Array.from(kernel.data, (w, k) => w * scale[k % channels]);
    const bias = weights[`${target}/bias`]?.data;
    const newBias = Float32Array.from(scale, (s, c) => ((bias ? bias[c] : 0) - mean[c]) * s + beta[c]);
    weights[`${target}/kernel`] = { shape: kernel.shape, data: folded };
    weights[`${target}/bias`] = { shape: [channels], data: newBias };
    layers[layers.length - 1] = { ...prev, useBias: true };
    for (const p of ['gamma', 'beta', 'movingMean', 'movingVariance']) delete weights[`${bn}/${p}`];
  });
  return { spec: { ...model.spec, layers }, weights };
}
