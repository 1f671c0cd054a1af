import * as tf from '@tensorflow/tfjs';
import { build, seededRandom, use, type ModelSpec, type Network } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';

use(neurons, surrogates, pools);

export async function cpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Conv-BN-PLIF-MaxPool, Conv-IF, Dense-BN-LIF (no decayInput), voting: every exported kind. */
export const csnnSpec: ModelSpec = {
  name: 'nir-csnn',
  input: { shape: [8, 8, 1] },
  timeSteps: 6,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'conv2d', filters: 6, kernelSize: 3, padding: 'valid' },
    { kind: 'neuron', neuron: 'if', vThreshold: 0.8 },
    { kind: 'pool', pool: 'avg', size: 2 },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.2 },
    { kind: 'dense', units: 12, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'lif', tau: 3, decayInput: false, vThreshold: 0.7 },
    { kind: 'voting', groups: 3 },
  ],
};

/** A seeded generator in [0, 1): core's. */
export const random = seededRandom;

/** The CSNN with trained-looking batch-norm statistics and a learned PLIF w. */
export function makeNetwork(seed = 7): Network {
  const net = build(csnnSpec, { seed });
  const rnd = random(seed);
  for (const v of net.namedVariables()) {
    const n = v.variable.size;
    const draw = (f: () => number) => tf.tensor(Array.from({ length: n }, f), v.variable.shape);
    if (v.name.endsWith('/gamma')) v.variable.assign(draw(() => 0.6 + rnd()));
    if (v.name.endsWith('/beta')) v.variable.assign(draw(() => rnd() * 0.6 - 0.2));
    if (v.name.endsWith('/movingMean')) v.variable.assign(draw(() => rnd() * 0.4 - 0.2));
    if (v.name.endsWith('/movingVariance')) v.variable.assign(draw(() => 0.05 + rnd() * 0.3));
    if (v.name.endsWith('/w')) v.variable.assign(tf.scalar(-0.37));
  }
  return net;
}

export function inputImages(n: number, seed = 3): tf.Tensor {
  const rnd = random(seed);
  return tf.tensor(Array.from({ length: n * 64 }, () => rnd() * 1.5), [n, 8, 8, 1]);
}

export interface Recording {
  spikes: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
  output: Float32Array;
}

/** Spikes and membrane potentials of every neuron layer, and the output, on one input. */
export async function record(net: Network, x: tf.Tensor): Promise<Recording> {
  const names = net.layers.filter((l) => l.neuron).map((l) => l.name);
  const { output, records } = net.forward(x, { record: names });
  const out: Recording = { spikes: {}, v: {}, output: Float32Array.from(await output.data()) };
  for (const [name, r] of records) {
    out.spikes[name] = Float32Array.from(await r.spikes.data());
    out.v[name] = Float32Array.from(await r.v!.data());
    tf.dispose([r.spikes, r.v!]);
  }
  output.dispose();
  return out;
}
