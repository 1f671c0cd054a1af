// Compiles a neuron layer the way the network builder does (spec validation fills the defaults).
import { registry, parseSpec } from '@spikeflow/core';
import { compileNeuron, type CompiledNeuron } from '@spikeflow/core/backend';

export function compileLayer(layer: Record<string, unknown>, N = 4): CompiledNeuron {
  const opts = parseSpec({ input: { shape: [N] }, layers: [{ kind: 'neuron', ...layer }] }).layers[0] as any;
  return compileNeuron(registry.neurons.get(opts.neuron)!, registry.surrogates.get(opts.surrogate.kind)!, opts, opts.surrogate);
}
