// Type-level checks of the declaration-merged plugin kinds (run by `npm run typecheck`), with a
// runtime assertion so vitest counts the file.
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec, NeuronLayerSpec } from '@spikeflow/core';
import '@spikeflow/neurons';
import '@spikeflow/pooling';

describe('typed specs', () => {
  it('accepts registered neuron, surrogate and pool kinds with their options', () => {
    const plif: NeuronLayerSpec = { kind: 'neuron', neuron: 'plif', initTau: 2, surrogate: { kind: 'atan', alpha: 2 } };
    const lif: LayerSpec = { kind: 'neuron', neuron: 'lif', tau: 4, decayInput: false, vReset: null };
    const spec: ModelSpec = { input: { shape: [4] }, layers: [plif, lif, { kind: 'pool', pool: 'avg' } as LayerSpec] };
    // @ts-expect-error: 'plfi' is not a registered neuron kind
    const typo: NeuronLayerSpec = { kind: 'neuron', neuron: 'plfi' };
    // @ts-expect-error: initTau is a number
    const wrongType: NeuronLayerSpec = { kind: 'neuron', neuron: 'plif', initTau: 'two' };
    // @ts-expect-error: unknown surrogate kind
    const badSurrogate: NeuronLayerSpec = { kind: 'neuron', neuron: 'if', surrogate: { kind: 'arctan' } };
    expect([spec.layers.length, typo.neuron, wrongType.neuron, badSurrogate.neuron]).toEqual([3, 'plfi', 'plif', 'if']);
  });
});
