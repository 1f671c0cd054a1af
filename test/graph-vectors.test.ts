// graph_vectors.json (SpikingJelly, float64): SEW BasicBlocks with ADD and IAND, and a
// LinearRecurrentContainer around PLIF, on the cpu backend with spikeflow's kernels. The wasm and
// webgpu runs of the same cases are in packages/backend-wasm/test and packages/backend-webgpu/test.
import { beforeAll, describe, expect, it } from 'vitest';
import { neuronImplementation } from '@spikeflow/core';
import { caseName, graphCaseErrors, graphTolerance, graphVectors } from './support/graph-vectors.js';
import { cpu } from './setup.js';

describe('graph_vectors.json on cpu', () => {
  beforeAll(cpu);

  for (const c of graphVectors.cases) {
    it(`${caseName(c)}: output and loss within 1e-6, every gradient within 1e-4`, async () => {
      const errors = await graphCaseErrors(c, (net) => {
        for (const l of net.layers) if (l.kind === 'neuron') expect(neuronImplementation(l.neuron)).toBe('fused');
      });
      expect(Object.keys(errors).length).toBeGreaterThanOrEqual(c.kind === 'sew' ? 16 : 8);
      for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThan(graphTolerance(what));
    });
  }
});
