import * as tf from '@tensorflow/tfjs';
import { field, neuronJsonSchema, normalizeNeuronOptions, type LayerSpecBase, type NeuronKinds, type NormalizedLayer, type Registered, type SurrogateSpec } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import type { LayerBuildContext } from '../layers.js';
import { runNeuron } from '../neuron-op.js';
import { compileNeuron, type CompiledNeuron, type NeuronCommonOptions, type PluginLookup } from '../plugins.js';
import { reshapeKeepingNothing } from '../spike-storage.js';

/** A neuron layer's (or a recurrent layer's) dynamics, compiled from its plugins and options. */
export function compileLayerNeuron(c: Pick<LayerBuildContext, 'spec' | 'name' | 'registry'>): CompiledNeuron {
  const plugin = c.registry.neurons.get(c.spec.neuron as string);
  const surrogateSpec = c.spec.surrogate as { kind: string } & Record<string, unknown>;
  const surrogate = c.registry.surrogates.get(surrogateSpec.kind);
  if (!plugin || !surrogate) throw new Error(`${c.name}: neuron "${String(c.spec.neuron)}" or surrogate "${surrogateSpec.kind}" is not registered`);
  return compileNeuron(plugin, surrogate, c.spec as unknown as Record<string, unknown> & NeuronCommonOptions, surrogateSpec);
}

/** The neuron's summary line: its plugin's own detail, else its kind. */
export function neuronDetail(l: NormalizedLayer, registry: PluginLookup): string {
  const plugin = registry.neurons.get(l.neuron as string);
  const detail = plugin?.summary?.(l as Record<string, unknown>);
  return detail ? `${String(l.neuron)} ${detail}` : String(l.neuron);
}

/** Fields of every neuron: the neuron layer's and the recurrent layer's. */
export const NEURON_FIELDS = {
  neuron: field.string({ description: 'neuron kind (a registered neuron plugin: if, lif, plif, ...)' }),
  vThreshold: field.number({ default: 1, description: 'firing threshold' }),
  vReset: field.number({ default: 0, nullable: true, description: 'potential after a spike; null = soft reset (subtract vThreshold)' }),
  vRest: field.number({ optional: true, description: 'leak target and initial potential; default vReset (0 for soft reset)' }),
  detachReset: field.boolean({ default: false, description: 'treat the spike inside the reset as a constant in the backward pass' }),
  surrogate: { type: 'object', default: { kind: 'atan' }, description: 'surrogate gradient of the spike: { kind, ...options }' },
} as const;

/** Options of every neuron (the plugin's own come from NeuronKinds). */
export interface NeuronCommonSpec {
  vThreshold?: number;
  /** Potential after a spike; null = soft reset (subtract vThreshold). */
  vReset?: number | null;
  /** Potential the membrane leaks toward and starts from. Default: vReset (0 for soft reset). */
  vRest?: number;
  /** Treat the spike inside the reset as a constant in the backward pass. */
  detachReset?: boolean;
  surrogate?: SurrogateSpec;
}

export type NeuronLayerSpec = Registered<NeuronKinds, LayerSpecBase & NeuronCommonSpec & { kind: 'neuron' }, 'neuron'>;

/** Spiking neurons of a registered neuron plugin, element-wise, run over all T at once. */

export const neuron = defineLayer({
  kind: 'neuron',
  description: 'spiking neurons (a registered neuron plugin), element-wise over all T steps',
  fields: { ...NEURON_FIELDS },
  outputShape: ([input]) => input,
  normalize: normalizeNeuronOptions,
  jsonSchema: neuronJsonSchema,
  stateless: false,
  build(c) {
    const compiled = compileLayerNeuron(c);
    const vars = compiled.paramNames.map((p, i) => c.variable(p, tf.scalar(compiled.paramInit[i])));
    const features = c.inputShape.reduce((a, b) => a * b, 1);
    return {
      variables: vars,
      neuron: compiled,
      emitsSpikes: compiled.output === 'spikes',
      // A readout returns V: it always runs on the input repeated over T.
      takesStaticInput: compiled.output === 'spikes',
      apply: (x, ctx) => {
        const readout = compiled.output === 'v';
        const withV = readout || ctx.record.has(c.name);
        const params = vars.map((v) => v.variable as tf.Tensor);
        // A static input [N, ...] runs as one step's input [1, N * features] repeated T times by the op.
        const repeat = ctx.staticInput ? ctx.T : undefined;
        const seq = reshapeKeepingNothing(x, repeat ? [1, x.size] : [ctx.T, ctx.N * features]) as tf.Tensor2D;
        const out = runNeuron(compiled, seq, params, withV, undefined, { checkpointEvery: ctx.checkpointEvery, repeatInput: repeat });
        // The spikes are kept (as bool where the backend allows) by the layers that consume them, not by the reshape.
        if (!withV) return reshapeKeepingNothing(out, [ctx.T * ctx.N, ...c.inputShape]);
        const [spikes, v, ...states] = tf.unstack(out);
        tf.dispose(states);
        const perStep = [ctx.T, ctx.N, ...c.inputShape];
        if (ctx.record.has(c.name)) ctx.records.set(c.name, { spikes: spikes.reshape(perStep), v: v.reshape(perStep) });
        // A readout never fires or resets: its output is V.
        return (readout ? v : spikes).reshape([ctx.T * ctx.N, ...c.inputShape]);
      },
    };
  },
  summary: neuronDetail,
  nir: {
    // The node of the layer's neuron plugin (its NIR codec), one value per neuron.
    export(c) {
      const { node, spikes } = c.neuron(c.layer, c.inputs[0].shape);
      c.node(c.name, node);
      c.connect(c.name);
      return { spikes };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    neuron: NeuronLayerSpec;
  }
}
