import * as tf from '@tensorflow/tfjs';
import { explicitPadding, pair, type NormalizedLayer } from '@spikeflow/spec';
import { compileNeuron, type CompiledNeuron, type NeuronCommonOptions, type PoolPlugin } from './plugins.js';
import type { Registry } from './registry.js';
import { runNeuron } from './neuron-op.js';
import { conv2dSpikes, matMulSpikes, reshapeKeepingNothing, saveSpikesAsBoolNow } from './spike-storage.js';
import { batchNormTrain } from './batch-norm-op.js';

/** What a layer sees on each forward pass. */
export interface ForwardContext {
  /** Number of time steps and batch size: tensors flow as [T*N, ...features]. */
  T: number;
  N: number;
  training: boolean;
  /**
   * How many identical copies of each sample the tensor stands for: T while the direct encoder's
   * static prefix runs once on [N, ...] instead of on T copies (batch norm counts them).
   */
  repeat: number;
  /** Neuron layers whose spikes and membrane potentials a monitor records on this pass. */
  record: Set<string>;
  /** Filled by neuron layers that are monitored: spikes and v, each [T, N, ...features]. */
  records: Map<string, { spikes: tf.Tensor; v?: tf.Tensor }>;
  /** Uniform [0, 1) draws seeded from the pass's seed: the only source of randomness a layer may use. */
  random(shape: number[]): tf.Tensor;
  /** The layer's input is spikes (only 0 and 1): it may keep them as bool for its gradient. */
  spikingInput?: boolean;
}

export interface LayerVariable {
  /** Stable name in checkpoints: `${layerName}/${param}`. */
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

export interface Layer {
  name: string;
  kind: string;
  spec: NormalizedLayer;
  /** Per-sample output shape (no time or batch axis). */
  outputShape: number[];
  variables: LayerVariable[];
  /** x: [T*N, ...inputShape] -> [T*N, ...outputShape] */
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** Neuron layers: the compiled dynamics (for backends, monitors, tau readout). */
  neuron?: CompiledNeuron;
  /** Its output is spikes (neuron layers). */
  emitsSpikes?: boolean;
  /** Spikes in give spikes out (flatten, max pooling). */
  passesSpikes?: boolean;
}

export interface LayerBuildContext {
  spec: NormalizedLayer;
  name: string;
  inputShape: number[];
  outputShape: number[];
  registry: Registry;
  /** Seeded uniform initialiser, advancing its seed per call. */
  uniform: (shape: number[], bound: number) => tf.Tensor;
}

function variable(name: string, init: tf.Tensor, trainable = true): LayerVariable {
  const v = tf.variable(init, trainable);
  init.dispose(); // the variable holds its own reference to the data
  return { name, variable: v, trainable };
}

export const layerBuilders: Record<string, (c: LayerBuildContext) => Layer> = {
  conv2d(c) {
    const [kh, kw] = pair(c.spec.kernelSize);
    const [sh, sw] = pair(c.spec.stride);
    const cin = c.inputShape[2];
    const filters = c.spec.filters as number;
    // PyTorch's default initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for kernel and bias.
    const bound = 1 / Math.sqrt(cin * kh * kw);
    const vars = [variable(`${c.name}/kernel`, c.uniform([kh, kw, cin, filters], bound))];
    if (c.spec.useBias) vars.push(variable(`${c.name}/bias`, c.uniform([filters], bound)));
    const zeros = explicitPadding(c.spec.padding);
    const padding = zeros ? 'valid' : (c.spec.padding as 'same' | 'valid');
    return {
      ...base(c, vars),
      apply: (input, ctx) => {
        const kernel = vars[0].variable as tf.Tensor4D;
        // Explicit padding (PyTorch's, NIR's): zeros on both sides, then a 'valid' convolution.
        const x = zeros ? tf.pad(input, [[0, 0], [zeros[0], zeros[0]], [zeros[1], zeros[1]], [0, 0]]) : input;
        const y = ctx.spikingInput && saveSpikesAsBoolNow()
          ? conv2dSpikes(x as tf.Tensor4D, kernel, [sh, sw], padding)
          : tf.conv2d(x as tf.Tensor4D, kernel, [sh, sw], padding);
        return vars[1] ? tf.add(y, vars[1].variable) : y;
      },
    };
  },

  dense(c) {
    const fanIn = c.inputShape[0];
    const units = c.spec.units as number;
    const bound = 1 / Math.sqrt(fanIn);
    const vars = [variable(`${c.name}/kernel`, c.uniform([fanIn, units], bound))];
    if (c.spec.useBias) vars.push(variable(`${c.name}/bias`, c.uniform([units], bound)));
    return {
      ...base(c, vars),
      apply: (x, ctx) => {
        const kernel = vars[0].variable as tf.Tensor2D;
        const y = ctx.spikingInput && saveSpikesAsBoolNow() ? matMulSpikes(x as tf.Tensor2D, kernel) : tf.matMul(x as tf.Tensor2D, kernel);
        return vars[1] ? tf.add(y, vars[1].variable) : y;
      },
    };
  },

  batchNorm(c) {
    const channels = c.inputShape[c.inputShape.length - 1];
    const gamma = variable(`${c.name}/gamma`, tf.ones([channels]));
    const beta = variable(`${c.name}/beta`, tf.zeros([channels]));
    const movingMean = variable(`${c.name}/movingMean`, tf.zeros([channels]), false);
    const movingVar = variable(`${c.name}/movingVariance`, tf.ones([channels]), false);
    const momentum = c.spec.momentum as number;
    const eps = c.spec.epsilon as number;
    return {
      ...base(c, [gamma, beta, movingMean, movingVar]),
      apply: (x, ctx) => {
        if (!ctx.training) {
          return tf.batchNorm(x, movingMean.variable, movingVar.variable, beta.variable, gamma.variable, eps);
        }
        // Training: statistics over every axis but channels, i.e. over T*N(*H*W), as SpikingJelly's
        // multi-step BN does; the running variance is unbiased (PyTorch convention).
        const { y, mean, variance } = batchNormTrain(x, gamma.variable as tf.Tensor1D, beta.variable as tf.Tensor1D, eps);
        tf.tidy(() => {
          const count = (x.size / channels) * ctx.repeat;
          const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
          movingMean.variable.assign(tf.add(tf.mul(movingMean.variable, 1 - momentum), tf.mul(mean, momentum)));
          movingVar.variable.assign(tf.add(tf.mul(movingVar.variable, 1 - momentum), tf.mul(unbiased, momentum)));
        });
        tf.dispose([mean, variance]);
        return y;
      },
    };
  },

  neuron(c) {
    const plugin = c.registry.neurons.get(c.spec.neuron as string);
    const surrogateSpec = c.spec.surrogate as { kind: string } & Record<string, unknown>;
    const surrogate = c.registry.surrogates.get(surrogateSpec.kind);
    if (!plugin || !surrogate) throw new Error(`${c.name}: neuron "${String(c.spec.neuron)}" or surrogate "${surrogateSpec.kind}" is not registered`);
    const compiled = compileNeuron(plugin, surrogate, c.spec as unknown as Record<string, unknown> & NeuronCommonOptions, surrogateSpec);
    const vars = compiled.paramNames.map((p, i) => variable(`${c.name}/${p}`, tf.scalar(compiled.paramInit[i])));
    const features = c.inputShape.reduce((a, b) => a * b, 1);
    return {
      ...base(c, vars),
      neuron: compiled,
      emitsSpikes: compiled.output === 'spikes',
      apply: (x, ctx) => {
        const seq = x.reshape([ctx.T, ctx.N * features]) as tf.Tensor2D;
        const readout = compiled.output === 'v';
        const withV = readout || ctx.record.has(c.name);
        const params = vars.map((v) => v.variable as tf.Tensor);
        const out = runNeuron(compiled, seq, params, withV);
        // The spikes are kept (as bool where the backend allows) by the layers that consume them, not by the reshape.
        if (!withV) return reshapeKeepingNothing(out, x.shape);
        const [spikes, v, ...states] = tf.unstack(out);
        tf.dispose(states);
        const perStep = [ctx.T, ctx.N, ...c.inputShape];
        if (ctx.record.has(c.name)) ctx.records.set(c.name, { spikes: spikes.reshape(perStep), v: v.reshape(perStep) });
        // A readout never fires or resets: its output is V.
        return (readout ? v : spikes).reshape(x.shape);
      },
    };
  },

  pool(c) {
    const plugin = c.registry.pools.get(c.spec.pool as string) as PoolPlugin<any> | undefined;
    if (!plugin) throw new Error(`${c.name}: pool "${String(c.spec.pool)}" is not registered`);
    const window = { size: pair(c.spec.size), stride: pair(c.spec.stride), padding: c.spec.padding as 'same' | 'valid' };
    return {
      ...base(c, []),
      passesSpikes: plugin.preservesSpikes === true,
      apply: (x, ctx) => (ctx.spikingInput && plugin.applyToSpikes && saveSpikesAsBoolNow()
        ? plugin.applyToSpikes(x as tf.Tensor4D, window, c.spec)
        : plugin.apply(x as tf.Tensor4D, window, c.spec)),
    };
  },

  flatten(c) {
    const features = c.outputShape[0];
    return { ...base(c, []), passesSpikes: true, apply: (x) => reshapeKeepingNothing(x, [x.shape[0], features]) };
  },

  dropout(c) {
    const rate = c.spec.rate as number;
    return {
      ...base(c, []),
      apply: (x, ctx) => {
        if (!ctx.training || rate === 0) return x;
        // One mask per sample, shared by all T steps (broadcast over the time axis).
        const seq = x.reshape([ctx.T, ctx.N, ...c.inputShape]);
        const keep = tf.div(tf.cast(tf.greaterEqual(ctx.random([1, ctx.N, ...c.inputShape]), rate), 'float32'), 1 - rate);
        return tf.mul(seq, keep).reshape(x.shape);
      },
    };
  },

  voting(c) {
    const groups = c.spec.groups as number;
    const units = c.inputShape[0];
    return { ...base(c, []), apply: (x) => tf.mean(x.reshape([x.shape[0], groups, units / groups]), 2) };
  },
};

function base(c: LayerBuildContext, variables: LayerVariable[]) {
  return { name: c.name, kind: c.spec.kind, spec: c.spec, outputShape: c.outputShape, variables };
}
