// Every random draw follows the seed: two runs with one seed are identical.
import { beforeAll, describe, expect, it } from 'vitest';
import { build, Trainer, type ModelSpec } from '@spikeflow/core';
import { cpu, tf } from '../setup.js';
import { batch, tinySpec } from './support.js';

// Low thresholds, so that the output layer spikes from the first step and the losses move.
const spiking = { ...tinySpec, layers: tinySpec.layers.map((l) => (l.kind === 'neuron' ? { ...l, vThreshold: 0.05 } : l)) };

async function run(seed: number, spec: ModelSpec = spiking): Promise<{ losses: number[]; weights: number[] }> {
  const net = build(spec, { seed });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
  const { x: unit, y } = batch();
  const x = tf.mul(unit, 4); // strong enough input that the output layer spikes
  unit.dispose();
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { loss, rate } = trainer.trainStep(x, y);
    losses.push((await loss.data())[0]);
    tf.dispose([loss, rate]);
  }
  const weights = (await Promise.all(net.trainableVariables().map(async (v) => Array.from(await v.data())))).flat();
  tf.dispose([x, y]);
  trainer.dispose();
  net.dispose();
  return { losses, weights };
}

describe('seeds', () => {
  beforeAll(cpu);

  it('two runs with one seed (dropout in the network) give identical losses and weights on cpu', async () => {
    const a = await run(11);
    const b = await run(11);
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
    expect(new Set(a.losses).size).toBeGreaterThan(1); // the network learns: the comparison means something
    const c = await run(12);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('Poisson encoding follows the seed too', async () => {
    const poisson: ModelSpec = { ...spiking, encoder: { kind: 'poisson' } };
    const a = await run(5, poisson);
    expect((await run(5, poisson)).losses).toEqual(a.losses);
  });

  it('dropout masks differ from pass to pass but repeat for a given seed', async () => {
    const net = build({ input: { shape: [64] }, timeSteps: 1, layers: [{ kind: 'dropout', rate: 0.5 }] }, { seed: 9 });
    const x = tf.ones([2, 64]);
    const pass = async (seed?: number) => {
      const { output } = net.forward(x, { training: true, seed });
      const d = Array.from(await output.data());
      output.dispose();
      return d;
    };
    const first = await pass();
    expect(await pass()).not.toEqual(first);
    expect(await pass(77)).toEqual(await pass(77));
    tf.dispose(x);
    net.dispose();
  });
});
