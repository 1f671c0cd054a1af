import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { cpu } from './setup.js';

const vectors: NeuronVectorFile = JSON.parse(readFileSync(new URL('./fixtures/neuron_vectors.json', import.meta.url), 'utf8'));

describe('neuron_vectors.json on cpu (float32)', () => {
  beforeAll(cpu);
  it('has the five reference cases', () => {
    expect(vectors.cases.map((c) => c.name)).toEqual(['plif-paper', 'plif-no-detach', 'plif-soft-reset', 'lif-sigmoid', 'if-atan']);
  });
  for (const c of vectors.cases) for (const impl of ['reference', undefined] as const) {
    it(`${c.name} (${impl ?? 'fused host kernel'}): spikes exact, v and dL/dx within 1e-5 + 1e-5 rel, dL/dw within 1e-4 rel`, async () => {
      const r = await runNeuronCase(c, undefined, impl);
      expect(r.ran).toBe(`cpu/${impl ?? 'fused'}`);
      expect(r.failures).toEqual([]);
      expect(r.spikes).toBe(0);
      expect(r.pass).toBe(true);
      if (c.gradW !== undefined) expect(r.gradW).toBeDefined();
    });
  }
});
