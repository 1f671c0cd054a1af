import * as tf from '@tensorflow/tfjs';
import { seededRandom, type ModelSpec, type Network } from '@spikeflow/core';
import type { LayerSpec } from '@spikeflow/spec';

// Graph networks the NIR tests export, import and simulate.

const plif: LayerSpec = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true };
const convBn = (filters: number, inputs?: string[]): LayerSpec[] => [
  { kind: 'conv2d', filters, kernelSize: 3, padding: 'same', useBias: false, ...(inputs ? { inputs } : {}) },
  { kind: 'batchNorm' },
];

/** A SEW-ResNet basic block (as the sew-resnet presets build it): stem, two conv-BN-PLIF, `connect` with the stem. */
export function sewBlockSpec(connect: 'add' | 'iand' | 'and'): ModelSpec {
  return {
    name: 'sew-block',
    input: { shape: [6, 6, 2] },
    timeSteps: 5,
    encoder: { kind: 'sequence' },
    layers: [
      ...convBn(4),
      { ...plif },
      ...convBn(4, ['neuron0']),
      { ...plif },
      ...convBn(4),
      { ...plif, name: 'sew0Out' },
      { kind: connect, name: 'sew0', inputs: connect === 'iand' ? ['sew0Out', 'neuron0'] : ['neuron0', 'sew0Out'] },
      { kind: 'flatten' },
      { kind: 'dense', units: 5, useBias: false },
      { ...plif },
    ],
  };
}

/** Gives batch norm trained-looking statistics and PLIF a learned w, so folding and export have work to do. */
export function trained(net: Network, seed: number): Network {
  const rnd = seededRandom(seed);
  for (const v of net.namedVariables()) {
    const n = v.variable.size;
    const draw = (f: () => number) => tf.tensor(Array.from({ length: n }, f), v.variable.shape);
    if (v.name.endsWith('/gamma')) v.variable.assign(draw(() => 0.8 + rnd()));
    if (v.name.endsWith('/beta')) v.variable.assign(draw(() => 0.5 + rnd() * 1.5));
    if (v.name.endsWith('/movingMean')) v.variable.assign(draw(() => rnd() * 0.4 - 0.2));
    if (v.name.endsWith('/movingVariance')) v.variable.assign(draw(() => 0.05 + rnd() * 0.3));
    if (v.name.endsWith('/w')) v.variable.assign(tf.scalar(-0.4 + 0.1 * rnd()));
    // Dense layers read many spikes: weights 12x their initial scale make the layers after them spike too.
    if (/^dense\d+\/kernel$/.test(v.name)) v.variable.assign(tf.mul(v.variable, 12));
  }
  return net;
}

/** A recurrent network: dense -> recurrent PLIF (dense or element-wise feedback) -> dense -> LIF. */
export function recurrentSpec(connection: 'dense' | 'elementwise', useBias = true): ModelSpec {
  return {
    name: `recurrent-${connection}`,
    input: { shape: [5] },
    timeSteps: 10,
    encoder: { kind: 'sequence' },
    layers: [
      { kind: 'dense', units: 7 },
      { kind: 'recurrent', neuron: 'plif', name: 'rec', connection, useBias, initTau: 2 },
      { kind: 'dense', units: 3 },
      { kind: 'neuron', neuron: 'lif', tau: 2 },
    ],
  };
}

