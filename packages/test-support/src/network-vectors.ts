// The whole-network reference check (test/fixtures/network_vectors.json), shared by the cpu test
// and each backend's test. One forward + backward of a small PLIF CSNN against SpikingJelly
// (float64). Layouts there are PyTorch's (NCHW, conv [Cout, Cin, kh, kw], dense [out, in] with
// `in` ordered (c, h, w)); they are transposed to spikeflow's NHWC here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { build, type ModelSpec, type Network } from '@spikeflow/core';
import { rateLossGrads } from './rate-loss-grads.js';
import { repoRoot } from './workspaces.js';

const ref = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/network_vectors.json'), 'utf8'));
const { T, Cin, C, H, W, K } = ref;
const H2 = H / 2;
const W2 = W / 2;

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
export const networkVectorsSpec: ModelSpec = {
  input: { shape: [H, W, Cin] },
  timeSteps: T,
  layers: [
    { kind: 'conv2d', filters: C, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm', epsilon: ref.params.bnEps },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: K, useBias: false },
    plif,
  ],
};

// PyTorch dense weight [K, (c,h,w)] <-> spikeflow [(h,w,c), K]
const denseToTf = (w: tf.Tensor) => w.reshape([K, C, H2, W2]).transpose([2, 3, 1, 0]).reshape([H2 * W2 * C, K]);
const denseToTorch = (w: tf.Tensor) => w.reshape([H2, W2, C, K]).transpose([3, 2, 0, 1]).reshape([K, C * H2 * W2]);

function maxRelErr(actual: ArrayLike<number>, expected: number[]): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return m;
}

/**
 * Runs the reference network on the current backend; returns the max relative error of the
 * output, the loss and each gradient, by name. `inspect` sees the built network (e.g. to check
 * which neuron implementation runs).
 */
export async function networkVectorErrors(inspect?: (net: Network) => void): Promise<Record<string, number>> {
  const net = build(networkVectorsSpec);
  inspect?.(net);
  const byName = Object.fromEntries(net.namedVariables().map((v) => [v.name, v.variable]));
  byName['conv2d0/kernel'].assign(tf.tensor4d(ref.params.convWeight).transpose([2, 3, 1, 0]));
  byName['batchNorm0/gamma'].assign(tf.tensor1d(ref.params.bnGamma));
  byName['batchNorm0/beta'].assign(tf.tensor1d(ref.params.bnBeta));
  byName['neuron0/w'].assign(tf.scalar(ref.params.plif1W));
  byName['dense0/kernel'].assign(denseToTf(tf.tensor2d(ref.params.linearWeight)));
  byName['neuron1/w'].assign(tf.scalar(ref.params.plif2W));

  const input = tf.tensor4d(ref.input).transpose([0, 2, 3, 1]);
  const labels = tf.tensor1d(ref.label, 'int32');
  const { rate, loss, grads } = rateLossGrads(net, input, labels);

  const g = (name: string) => grads[byName[name].name];
  const checks: Array<[string, tf.Tensor, number[]]> = [
    ['output', rate, ref.output.flat()],
    ['loss', loss, [ref.loss]],
    ['conv gradient', g('conv2d0/kernel').transpose([3, 2, 0, 1]), ref.grads.convWeight.flat(3)],
    ['bn gamma gradient', g('batchNorm0/gamma'), ref.grads.bnGamma],
    ['bn beta gradient', g('batchNorm0/beta'), ref.grads.bnBeta],
    ['plif1 w gradient', g('neuron0/w'), [ref.grads.plif1W]],
    ['dense gradient', denseToTorch(g('dense0/kernel')), ref.grads.linearWeight.flat()],
    ['plif2 w gradient', g('neuron1/w'), [ref.grads.plif2W]],
  ];
  const errors: Record<string, number> = {};
  for (const [what, actual, expected] of checks) errors[what] = maxRelErr(await actual.data(), expected);
  tf.dispose([input, labels, loss, rate, ...Object.values(grads)]);
  net.dispose();
  return errors;
}

/** The reference's PLIF w gradients are far from zero, so a 1e-4 check on them can fail. */
export const referenceGradW = [ref.grads.plif1W as number, ref.grads.plif2W as number];
