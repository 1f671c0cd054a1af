// Every catalogue neuron and surrogate: vectors written from the reference op (tfjs ops) on cpu,
// then the fused kernels of cpu, wasm and webgpu checked against them (spikes exact, 1e-5).
import { beforeAll, describe, expect, it } from 'vitest';
import { generateNeuronVectors, runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';
import { useBackend, type BackendName } from './backends.js';

const layers = [
  ...extraNeurons.flatMap((n) => [
    { neuron: n.kind, surrogate: { kind: 'atan' } },
    { neuron: n.kind, vReset: null, detachReset: true, surrogate: { kind: 'sigmoid' } },
  ]),
  ...extraSurrogates.map((s) => ({ neuron: 'lif', surrogate: { kind: s.kind } })),
];

let file: NeuronVectorFile;
beforeAll(async () => {
  await useBackend('cpu');
  file = await generateNeuronVectors({ layers, T: 10, N: 48, seed: 3 });
});

describe('generated vectors', () => {
  it('one case per layer, with spikes, the second state and every parameter gradient', () => {
    expect(file.cases.length).toBe(layers.length);
    for (const c of file.cases) {
      expect(c.spikes.flat().some((s) => s === 1), `${c.name} spikes`).toBe(true);
      expect(c.gradX.flat().some((g) => g !== 0), `${c.name} dL/dx`).toBe(true);
    }
    expect(file.cases.filter((c) => c.wState).map((c) => c.config.neuron)).toEqual(['izhikevich', 'izhikevich', 'alif', 'alif', 'cubalif', 'cubalif']);
    expect(Object.keys(file.cases.find((c) => c.config.neuron === 'alif')!.gradParams!)).toEqual(['wA']);
  });
  for (const backend of ['cpu', 'wasm', 'webgpu'] as BackendName[]) {
    it(`fused kernels on ${backend} match the reference on every case`, async () => {
      if (!(await useBackend(backend))) return;
      for (const c of file.cases) {
        const r = await runNeuronCase(c);
        expect(r.ran).toBe(`${backend}/fused`);
        expect(r.failures, c.name).toEqual([]);
      }
    });
  }
});
