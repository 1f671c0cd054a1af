import { field } from '../fields.js';
import { defineLayerKind, showShape } from '../layer-kind.js';
import type { LayerSpecBase, NeuronKinds, Registered } from '../types.js';
import { NEURON_FIELDS, type NeuronCommonSpec } from './neuron.js';
import { neuronJsonSchema, normalizeNeuronOptions } from './plugin-options.js';

interface RecurrentCommon extends LayerSpecBase, NeuronCommonSpec {
  kind: 'recurrent';
  /**
   * How the spikes of step t-1 reach the input of step t:
   * - 'dense' (SpikingJelly's LinearRecurrentContainer): i[t] = [x[t], s[t-1]] W + b, W learned [2F, F];
   * - 'elementwise': i[t] = x[t] + w * s[t-1], w learned per neuron.
   */
  connection?: 'dense' | 'elementwise';
  /** Dense connection: add a learned bias. */
  useBias?: boolean;
}
export type RecurrentLayerSpec = Registered<NeuronKinds, RecurrentCommon, 'neuron'>;

/**
 * Spiking neurons whose own spikes at t-1 feed back into their input at t through a learned
 * connection; s[-1] = 0. The one layer kind that steps through time (the others run over all T).
 */
export const recurrentKind = defineLayerKind({
  kind: 'recurrent',
  description: 'spiking neurons fed back their own spikes of the step before through a learned connection',
  fields: {
    ...NEURON_FIELDS,
    connection: field.enum({ values: ['dense', 'elementwise'], default: 'dense', description: "'dense': i[t] = [x[t], s[t-1]] W + b (SpikingJelly's LinearRecurrentContainer); 'elementwise': i[t] = x[t] + w * s[t-1]" }),
    useBias: field.boolean({ default: true, description: 'dense connection: add a learned bias' }),
  },
  outputShape([input], l) {
    if (l.connection === 'dense' && input.length !== 1) return { problem: `a dense recurrent connection expects a flat input [features], but the input here is ${showShape(input)}: add { "kind": "flatten" } before it, or use connection "elementwise"` };
    return input;
  },
  normalize: normalizeNeuronOptions,
  jsonSchema: neuronJsonSchema,
});

declare module '../types.js' {
  interface LayerKinds {
    recurrent: RecurrentLayerSpec;
  }
}
