import * as tf from '@tensorflow/tfjs';
import type { NormalizedLayer } from '@spikeflow/spec';
import type { CompiledNeuron, PluginLookup } from './plugins.js';

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
  /** Memory-lean BPTT: neuron layers keep their state for backward only every this many steps (0: every step). */
  checkpointEvery?: number;
  /**
   * The layer's input is [N, ...], the same at every one of the T steps, not repeated (a layer that
   * declares takesStaticInput, under memory-lean BPTT). Its output is still [T*N, ...].
   */
  staticInput?: boolean;
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
  /** Indices of the layers it reads (-1: the model input), resolved from the spec's `inputs`. */
  inputs: number[];
  /** Output at step t depends only on the input at step t, so it may run once over all T. */
  stateless: boolean;
  /** x: [T*N, ...inputShape] -> [T*N, ...outputShape] (single-input layers). */
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** Merge layers: every input, each [T*N, ...its shape], in the order of `inputs`. */
  applyMany?(xs: tf.Tensor[], ctx: ForwardContext): tf.Tensor;
  /** Neuron layers: the compiled dynamics (for backends, monitors, tau readout). */
  neuron?: CompiledNeuron;
  /** Its output is spikes (neuron layers). */
  emitsSpikes?: boolean;
  /** Spikes in give spikes out (flatten, max pooling, concat, and, iand). */
  passesSpikes?: boolean;
  /**
   * A stateful single-input layer that can take an input which is the same at every step as
   * [N, ...] (ForwardContext.staticInput) and keep that instead of its T copies for its gradient.
   * The network passes it so under memory-lean BPTT (checkpointEvery > 0) where the layer is not
   * recorded by a monitor.
   */
  takesStaticInput?: boolean;
}

/** What a layer kind's build() returns: how it runs, with the variables it made. */
export type LayerRuntime = Omit<Layer, 'name' | 'kind' | 'spec' | 'outputShape' | 'inputs' | 'stateless' | 'variables'> & { variables?: LayerVariable[] };

export interface LayerBuildContext {
  spec: NormalizedLayer;
  name: string;
  /** Per-sample shape of the (first) input. */
  inputShape: number[];
  /** Per-sample shapes of every input, in the order of `inputs`. */
  inputShapes: number[][];
  outputShape: number[];
  /** The plugins the layer may name (its neuron, pool...). */
  registry: PluginLookup;
  /** Seeded uniform initialiser, advancing its seed per call. */
  uniform: (shape: number[], bound: number) => tf.Tensor;
  /** A variable of this layer, named `${layer}/${param}` in checkpoints; takes ownership of `init`. */
  variable: (param: string, init: tf.Tensor, trainable?: boolean) => LayerVariable;
}

export function makeVariable(name: string, init: tf.Tensor, trainable = true): LayerVariable {
  const v = tf.variable(init, trainable);
  init.dispose(); // the variable holds its own reference to the data
  return { name, variable: v, trainable };
}

