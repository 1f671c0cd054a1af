// Compiles a neuron layer the way the network builder does (spec validation fills the defaults).
import { compileNeuron, registry, parseSpec, type CompiledNeuron } from '@spikeflow/core';

export function compileLayer(layer: Record<string, unknown>, N = 4): CompiledNeuron {
  const opts = parseSpec({ input: { shape: [N] }, layers: [{ kind: 'neuron', ...layer }] }).layers[0] as any;
  return compileNeuron(registry.neurons.get(opts.neuron)!, registry.surrogates.get(opts.surrogate.kind)!, opts, opts.surrogate);
}
