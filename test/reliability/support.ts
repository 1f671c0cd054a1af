// Shared by the reliability tests: a tiny network with every layer kind that holds state or randomness.
import { build, Trainer, type ModelSpec, type Network } from '@spikeflow/core';
import { tf } from '../setup.js';

export const tinySpec: ModelSpec = {
  name: 'tiny',
  input: { shape: [6, 6, 1] },
  timeSteps: 3,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3 },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'dense', units: 20 },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 10 },
  ],
};

export function tinyTrainer(seed = 1, learningRate = 1e-2): { net: Network; trainer: Trainer } {
  const net = build(tinySpec, { seed });
  return { net, trainer: new Trainer(net, { optimizer: { kind: 'adam', learningRate } }) };
}

/** A batch of 4 images in [0, 1] with labels 0..3. */
export function batch(seed = 7): { x: tf.Tensor; y: tf.Tensor } {
  return { x: tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', seed), y: tf.tensor1d([0, 1, 2, 3], 'int32') };
}

/** A copy of `t` with one element replaced. */
export async function withValue(t: tf.Tensor, index: number, value: number): Promise<tf.Tensor> {
  const data = Float32Array.from(await t.data());
  data[index] = value;
  return tf.tensor(data, t.shape);
}

export async function nonFiniteVariables(net: Network): Promise<string[]> {
  const out: string[] = [];
  for (const v of net.namedVariables()) if (Array.from(await v.variable.data()).some((x) => !Number.isFinite(x))) out.push(v.name);
  return out;
}
