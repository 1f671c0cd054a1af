import { field } from '../fields.js';
import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase, NeuronKinds, Registered, SurrogateSpec } from '../types.js';
import { neuronJsonSchema, normalizeNeuronOptions } from './plugin-options.js';

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
export const neuronKind = defineLayerKind({
  kind: 'neuron',
  description: 'spiking neurons (a registered neuron plugin), element-wise over all T steps',
  fields: { ...NEURON_FIELDS },
  outputShape: ([input]) => input,
  normalize: normalizeNeuronOptions,
  jsonSchema: neuronJsonSchema,
});

declare module '../types.js' {
  interface LayerKinds {
    neuron: NeuronLayerSpec;
  }
}
