import { describe, expect, it } from 'vitest';
import { neuronImplementation } from '@spikeflow/core/backend';
import { networkVectorErrors } from '@spikeflow/test-support/network-vectors';
import { noGpu, tf } from './gpu.js';

describe.skipIf(noGpu)('network_vectors.json: PLIF CSNN forward + backward on webgpu (fused neurons)', () => {
  it('output, loss and every gradient match SpikingJelly within 1e-4', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const errors = await networkVectorErrors((net) => {
      for (const l of net.layers) if (l.neuron) expect(neuronImplementation(l.neuron)).toBe('fused');
    });
    expect(Object.keys(errors)).toHaveLength(8);
    for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThan(1e-4);
  });
});
