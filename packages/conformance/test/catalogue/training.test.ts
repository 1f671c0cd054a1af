// Every catalogue neuron trains on the synthetic task on cpu, wasm and webgpu: the loss falls.
import { describe, expect, it } from 'vitest';
import { build, Trainer } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { syntheticDataset } from '@spikeflow/datasets';
import type { ModelSpec } from '@spikeflow/spec';
import { extraNeurons } from '@spikeflow/neurons-extra';
import { tf, useBackend, type BackendName } from './backends.js';

const STEPS = 20;

async function lossCurve(neuron: string): Promise<number[]> {
  const spec: ModelSpec = {
    input: { shape: [8, 8, 1] },
    timeSteps: 4,
    layers: [
      { kind: 'flatten' },
      { kind: 'dense', units: 32 },
      { kind: 'neuron', neuron, surrogate: { kind: 'sigmoid' } },
      { kind: 'dense', units: 20 },
      { kind: 'neuron', neuron, surrogate: { kind: 'sigmoid' } },
      { kind: 'voting', groups: 4 },
    ],
  } as ModelSpec;
  const data = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 64, seed: 5 });
  const net = build(spec, { seed: 3 });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { loss, rate } = trainer.trainStep(data.x, data.labels);
    losses.push((await loss.data())[0]);
    tf.dispose([loss, rate]);
  }
  tf.dispose([data.x, data.labels]);
  trainer.dispose();
  net.dispose();
  return losses;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const backend of ['cpu', 'wasm', 'webgpu'] as BackendName[]) {
  describe(`training on ${backend}`, () => {
    for (const n of extraNeurons) {
      it(`${n.kind}: the loss of the last 3 steps is below the first 3 steps' by 20%`, async () => {
        if (!(await useBackend(backend))) return;
        expect(neuronImplementation()).toBe('fused');
        const losses = await lossCurve(n.kind);
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(mean(losses.slice(-3)), losses.map((l) => l.toFixed(4)).join(' ')).toBeLessThan(0.8 * mean(losses.slice(0, 3)));
      });
    }
  });
}
