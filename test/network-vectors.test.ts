import { beforeAll, describe, expect, it } from 'vitest';
import { neuronImplementation } from '@spikeflow/core/backend';
import { networkVectorErrors, referenceGradW } from '@spikeflow/test-support/network-vectors';
import { cpu } from './setup.js';

describe('network_vectors.json: PLIF CSNN forward + backward on cpu', () => {
  beforeAll(cpu);

  it('output, loss and every gradient match SpikingJelly within 1e-4 (fused host kernel)', async () => {
    const errors = await networkVectorErrors((net) => {
      for (const l of net.layers) if (l.neuron) expect(neuronImplementation(l.neuron)).toBe('fused');
    });
    expect(Object.keys(errors)).toHaveLength(8);
    for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThan(1e-4);
    expect(Math.min(...referenceGradW.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});
