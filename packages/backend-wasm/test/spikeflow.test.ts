// spikeflow on wasm: the reference vectors through the fused host kernel, the whole-network
// vectors, and max pooling on spikes through this package's first-max MaxPoolGrad.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { use } from '@spikeflow/core';
import { neuronImplementation, runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { firstMaxPool, maxPool, pools } from '@spikeflow/pooling';
import { setup } from '../src/index.js';
import { networkVectorErrors } from '@spikeflow/test-support/network-vectors';

const vectors: NeuronVectorFile = JSON.parse(readFileSync(new URL('../../../test/fixtures/neuron_vectors.json', import.meta.url), 'utf8'));

describe('spikeflow on wasm', () => {
  beforeAll(async () => {
    use(neurons, surrogates, pools);
    await setup();
    await tf.setBackend('wasm');
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('neuron vectors %s pass through the fused kernel', async (_, c) => {
    const r = await runNeuronCase(c);
    expect(r.ran).toBe('wasm/fused');
    expect(r.failures).toEqual([]);
  });

  it('network_vectors.json: output, loss and every gradient within 1e-4', async () => {
    const errors = await networkVectorErrors((net) => {
      for (const l of net.layers) if (l.neuron) expect(neuronImplementation(l.neuron)).toBe('fused');
    });
    for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThan(1e-4);
  });

  it('max pooling routes to the first maximum, the same as the portable backward', async () => {
    const x = tf.cast(tf.greater(tf.randomUniform([2, 8, 6, 3], 0, 1, 'float32', 7), 0.5), 'float32') as tf.Tensor4D;
    const dy = tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 8);
    const w = { size: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: 'valid' as const };
    const grad = (pool: (t: tf.Tensor4D) => tf.Tensor4D) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x);
    const a = await grad((t) => maxPool.apply(t, w, {})).data();
    const b = await grad((t) => firstMaxPool(t, w)).data();
    for (let i = 0; i < a.length; i++) expect(a[i] === b[i], `element ${i}: ${a[i]} vs ${b[i]}`).toBe(true);
  });
});
