import { afterAll, describe, expect, it } from 'vitest';
import { registerKernels } from '@spikeflow/core/backend';
import { conv2DBackpropFilterConfig, tfjsFilterGradConfig } from '../src/index.js';
import { noGpu, onCpu, tf } from './gpu.js';

type Pad = 'same' | 'valid';
interface Case { batch: number; h: number; w: number; ci: number; co: number; k: [number, number]; stride: 1 | 2; pad: Pad }

const cases: Case[] = [
  // The CSNN's two convolutions (T = 2 folded into a batch of 3), then odd shapes.
  { batch: 6, h: 28, w: 28, ci: 1, co: 32, k: [3, 3], stride: 1, pad: 'same' },
  { batch: 6, h: 14, w: 14, ci: 32, co: 32, k: [3, 3], stride: 1, pad: 'same' },
  { batch: 3, h: 9, w: 7, ci: 3, co: 5, k: [3, 3], stride: 2, pad: 'same' },
  { batch: 2, h: 11, w: 13, ci: 5, co: 7, k: [3, 2], stride: 1, pad: 'valid' },
  { batch: 5, h: 8, w: 9, ci: 2, co: 6, k: [5, 5], stride: 2, pad: 'valid' },
  { batch: 1, h: 5, w: 5, ci: 7, co: 1, k: [1, 1], stride: 1, pad: 'same' },
  { batch: 4, h: 6, w: 10, ci: 4, co: 9, k: [2, 4], stride: 2, pad: 'same' },
  { batch: 2, h: 300, w: 3, ci: 1, co: 4, k: [3, 3], stride: 1, pad: 'same' },
];

const use = (config: tf.KernelConfig) => registerKernels([config], { replace: true });

/** dL/dW of sum(conv2d(x, w) * up) on the current backend with the Conv2DBackpropFilter registered now. */
async function filterGrad(c: Case, seed: number): Promise<Float32Array> {
  const x = tf.randomNormal([c.batch, c.h, c.w, c.ci], 0, 1, 'float32', seed);
  const w = tf.randomNormal([...c.k, c.ci, c.co], 0, 1, 'float32', seed + 1);
  const up = tf.randomNormal(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad).shape, 0, 1, 'float32', seed + 2);
  const g = tf.grad((wi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad), up)))(w);
  const out = (await g.data()) as Float32Array;
  tf.dispose([x, w, up, g]);
  return out;
}

describe.skipIf(noGpu)('Conv2DBackpropFilter on webgpu (split-K over output rows) against tfjs\'s kernels', () => {
  afterAll(() => use(conv2DBackpropFilterConfig()));
  cases.forEach((c, i) => {
    it(`x [${c.batch}, ${c.h}, ${c.w}, ${c.ci}], filter ${c.k.join('x')} -> ${c.co}, stride ${c.stride}, ${c.pad}`, async () => {
      use(conv2DBackpropFilterConfig());
      const ours = await filterGrad(c, 10 * i + 1);
      use(tfjsFilterGradConfig());
      const theirs = await filterGrad(c, 10 * i + 1);
      const cpu = await onCpu(() => filterGrad(c, 10 * i + 1));
      expect(ours.length).toBe(c.k[0] * c.k[1] * c.ci * c.co);
      const scale = Math.max(...Array.from(theirs, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (const ref of [theirs, cpu]) {
        let worst = 0;
        for (let j = 0; j < ours.length; j++) worst = Math.max(worst, Math.abs(ours[j] - ref[j]));
        expect(worst / scale).toBeLessThan(1e-5);
      }
    });
  });
  it('is what tf.grad of a convolution runs after setup()', async () => {
    use(conv2DBackpropFilterConfig());
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(conv2DBackpropFilterConfig().kernelFunc);
  });
});
