// A user's own neuron, defined in this one file: a quadratic integrate-and-fire (QIF) neuron.
import { beforeAll, describe, expect, it } from 'vitest';
import { build, correctCount, defineNeuron, Trainer, use, validate, type NeuronPlugin } from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import { field, type ModelSpec } from '@spikeflow/spec';
import { cpu, tf } from './setup.js';

interface QifOptions {
  tau: number;
  a0: number;
  vCritical: number;
}

declare module '@spikeflow/spec' {
  interface NeuronKinds {
    'my-qif': Partial<QifOptions>;
  }
}

/** QIF: H = V + (X + a0 (V - vRest)(V - vCritical)) / tau. */
const qif: NeuronPlugin<QifOptions> = defineNeuron<QifOptions>({
  kind: 'my-qif',
  description: 'quadratic integrate-and-fire',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant' }),
    a0: field.number({ exclusiveMin: 0, default: 1, description: 'sharpness of the quadratic' }),
    vCritical: field.number({ default: 0.8, description: 'critical potential' }),
  },
  charge: ({ v, x, options }) => v.add(x.add(v.sub(options.vRest).mul(v.sub(options.vCritical)).mul(options.a0)).div(options.tau)),
});

describe('a custom neuron defined in one file', () => {
  beforeAll(async () => {
    await cpu();
    use(qif);
  });

  it('validates its options with the JSON path', () => {
    expect(() => validate({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'my-qif', a0: -1 }] })).toThrow(/layers\[0\]\.a0: expected a number > 0/);
  });

  it('builds from a spec and trains', async () => {
    const spec: ModelSpec = {
      input: { shape: [8, 8, 1] },
      timeSteps: 4,
      layers: [
        { kind: 'flatten' },
        { kind: 'dense', units: 32 },
        { kind: 'neuron', neuron: 'my-qif', tau: 2, a0: 0.5, detachReset: true },
        { kind: 'dense', units: 20 },
        { kind: 'neuron', neuron: 'my-qif' },
        { kind: 'voting', groups: 4 },
      ],
    };
    const data = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 128, seed: 5 });
    const net = build(spec, { seed: 3 });
    expect(net.layers[2].neuron?.kind).toBe('my-qif');
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const { loss, rate } = trainer.trainStep(data.x, data.labels);
      losses.push((await loss.data())[0]);
      tf.dispose([loss, rate]);
    }
    const rate = trainer.evaluate(data.x);
    const correct = (await correctCount(rate, data.labels).data())[0];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    expect(correct / 128).toBeGreaterThan(0.9);
    tf.dispose([rate, data.x, data.labels]);
    trainer.dispose();
    net.dispose();
  });
});
