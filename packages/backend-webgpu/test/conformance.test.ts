import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { noGpu, tf } from './gpu.js';

const vectors: NeuronVectorFile = JSON.parse(readFileSync(new URL('../../../test/fixtures/neuron_vectors.json', import.meta.url), 'utf8'));

describe.skipIf(noGpu)('neuron_vectors.json on webgpu through the fused kernels', () => {
  it('runs on the webgpu backend', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(vectors.cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of vectors.cases) {
    it(`${c.name}: spikes exact, v and dL/dx within 1e-5 + 1e-5 rel, dL/dw within 1e-4 rel`, async () => {
      const r = await runNeuronCase(c);
      expect(r.ran).toBe('webgpu/fused');
      expect(r.failures).toEqual([]);
      expect(r.pass).toBe(true);
      if (c.gradW !== undefined) expect(r.gradW).toBeDefined();
    });
  }
});
