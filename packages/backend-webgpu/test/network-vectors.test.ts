import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, firingRate, neuronImplementation, rateLoss } from '@spikeflow/core';
import { noGpu, tf } from './gpu.js';

// One forward + backward of a small PLIF CSNN against SpikingJelly (float64), on webgpu with the fused
// kernels. Layouts there are PyTorch's (NCHW, conv [Cout, Cin, kh, kw], dense [out, in], in = (c, h, w)).
const ref = JSON.parse(readFileSync(new URL('../../../test/fixtures/network_vectors.json', import.meta.url), 'utf8'));
const { T, Cin, C, H, W, K } = ref;
const H2 = H / 2;
const W2 = W / 2;

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } };
const spec = {
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

const denseToTf = (w: tf.Tensor) => w.reshape([K, C, H2, W2]).transpose([2, 3, 1, 0]).reshape([H2 * W2 * C, K]);
const denseToTorch = (w: tf.Tensor) => w.reshape([H2, W2, C, K]).transpose([3, 2, 0, 1]).reshape([K, C * H2 * W2]);

function maxRelErr(actual: Float32Array | number[], expected: number[]): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return m;
}

describe.skipIf(noGpu)('network_vectors.json: PLIF CSNN forward + backward on webgpu (fused neurons)', () => {
  it('output, loss and every gradient match SpikingJelly within 1e-4', async () => {
    const net = build(spec);
    for (const l of net.layers) if (l.neuron) expect(neuronImplementation(l.neuron)).toBe('fused');
    const byName = Object.fromEntries(net.namedVariables().map((v) => [v.name, v.variable]));
    byName['conv2d0/kernel'].assign(tf.tensor4d(ref.params.convWeight).transpose([2, 3, 1, 0]));
    byName['batchNorm0/gamma'].assign(tf.tensor1d(ref.params.bnGamma));
    byName['batchNorm0/beta'].assign(tf.tensor1d(ref.params.bnBeta));
    byName['neuron0/w'].assign(tf.scalar(ref.params.plif1W));
    byName['dense0/kernel'].assign(denseToTf(tf.tensor2d(ref.params.linearWeight)));
    byName['neuron1/w'].assign(tf.scalar(ref.params.plif2W));

    const input = tf.tensor4d(ref.input).transpose([0, 2, 3, 1]);
    const labels = tf.tensor1d(ref.label, 'int32');
    let rate: tf.Tensor | undefined;
    const { value: loss, grads } = tf.variableGrads(() => {
      const r = firingRate(net.forward(input, { training: true }).output);
      rate = tf.keep(r);
      return rateLoss('mse', r, labels);
    }, net.trainableVariables());

    expect(tf.getBackend()).toBe('webgpu');
    expect(maxRelErr((await rate!.data()) as Float32Array, ref.output.flat())).toBeLessThan(1e-4);
    expect(Math.abs((await loss.data())[0] - ref.loss)).toBeLessThan(1e-4);

    const g = (name: string) => grads[byName[name].name];
    const checks: Array<[string, tf.Tensor, number[]]> = [
      ['conv', g('conv2d0/kernel').transpose([3, 2, 0, 1]), ref.grads.convWeight.flat(3)],
      ['bn gamma', g('batchNorm0/gamma'), ref.grads.bnGamma],
      ['bn beta', g('batchNorm0/beta'), ref.grads.bnBeta],
      ['plif1 w', g('neuron0/w'), [ref.grads.plif1W]],
      ['dense', denseToTorch(g('dense0/kernel')), ref.grads.linearWeight.flat()],
      ['plif2 w', g('neuron1/w'), [ref.grads.plif2W]],
    ];
    for (const [what, actual, expected] of checks) {
      expect(maxRelErr((await actual.data()) as Float32Array, expected), `${what} gradient`).toBeLessThan(1e-4);
    }
    expect(Math.abs(ref.grads.plif1W)).toBeGreaterThan(1e-3);
    net.dispose();
  });
});
