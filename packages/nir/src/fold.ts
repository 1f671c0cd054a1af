import { resolveGraph, type NormalizedLayer } from '@spikeflow/spec';
import { NirError } from './errors.js';
import type { SpikeflowModel, Weight } from './model.js';

/**
 * Folds every batch-norm layer into the conv2d or dense layer it reads, with its running
 * statistics (inference mode): per output channel c,
 *   s = gamma / sqrt(runningVar + eps),  W'[..., c] = W[..., c] * s,  b' = (b - runningMean) * s + beta.
 * Computed in float64, stored as float32. The result has no batch norm; layers that read a batch
 * norm read the layer it was folded into. That layer must feed the batch norm alone.
 */
export function foldBatchNorm(model: SpikeflowModel): SpikeflowModel {
  const source = model.spec.layers;
  const { names, inputs } = resolveGraph(source, []);
  const readers = (j: number) => inputs.flatMap((from, i) => (from.includes(j) ? [i] : []));
  const layers: NormalizedLayer[] = [];
  const weights: Record<string, Weight> = { ...model.weights };
  const foldedInto = new Map<string, string>(); // batch norm name -> the layer holding it now
  const kept = new Map<number, number>(); // index in the model -> index in the result
  const lastKept = () => names[[...kept.keys()].pop() ?? -1];
  source.forEach((layer, i) => {
    if (layer.kind !== 'batchNorm') {
      const copy = { ...layer };
      if (layer.inputs) copy.inputs = (layer.inputs as string[]).map((n) => foldedInto.get(n) ?? n);
      else if (i > 0 && foldedInto.has(names[i - 1]) && foldedInto.get(names[i - 1]) !== lastKept()) copy.inputs = [foldedInto.get(names[i - 1])!];
      kept.set(i, layers.length);
      layers.push(copy);
      return;
    }
    const bn = names[i];
    const j = inputs[i][0];
    const prev = j >= 0 ? source[j] : undefined;
    if (!prev || (prev.kind !== 'conv2d' && prev.kind !== 'dense')) {
      throw new NirError(`layers[${i}] "${bn}": batch norm can be folded only into the conv2d or dense layer it reads; here it reads ${prev ? `a ${prev.kind} layer "${names[j]}"` : 'the input'}`);
    }
    const target = names[j];
    const others = readers(j).filter((r) => r !== i);
    if (others.length > 0) throw new NirError(`layers[${i}] "${bn}": batch norm can be folded into "${target}" only when nothing else reads "${target}"; layers[${others[0]}] "${names[others[0]]}" does too`);
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
    layers[kept.get(j)!] = { ...layers[kept.get(j)!], useBias: true };
    foldedInto.set(bn, target);
    for (const p of ['gamma', 'beta', 'movingMean', 'movingVariance']) delete weights[`${bn}/${p}`];
  });
  return { spec: { ...model.spec, layers }, weights };
}
