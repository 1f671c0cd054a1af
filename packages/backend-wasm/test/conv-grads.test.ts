import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomInput, worstGradError } from './helpers.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface Case { n: number; h: number; w: number; ci: number; co: number; k: number; stride: number; pad: Pad }

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    for (const [n, ci] of [[1, 1], [3, 3], [1, 5], [3, 5]]) {
      cases.push({ n, h: 7 + stride, w: 9, ci, co: 4, k: 3, stride, pad });
    }
  }
}
// Odd extras: even input with stride 2 (unused last row), 1x1 and 5x5 filters, stride 3, explicit padding.
cases.push({ n: 2, h: 8, w: 8, ci: 3, co: 2, k: 3, stride: 2, pad: 'valid' });
cases.push({ n: 3, h: 5, w: 6, ci: 5, co: 3, k: 1, stride: 1, pad: 'valid' });
cases.push({ n: 1, h: 11, w: 10, ci: 3, co: 5, k: 5, stride: 3, pad: 'same' });
cases.push({ n: 2, h: 8, w: 9, ci: 2, co: 3, k: 3, stride: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] });

describe('conv2d gradients on wasm match tfjs-cpu', () => {
  it.each(cases)('x[$n,$h,$w,$ci] k$k Co$co stride $stride pad $pad', async (c) => {
    const x = randomInput([c.n, c.h, c.w, c.ci], 11);
    const filter = randomInput([c.k, c.k, c.ci, c.co], 12);
    // A non-uniform upstream gradient (cube) so that every dy entry matters.
    const f = (xs: tf.Tensor, ws: tf.Tensor) =>
      tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, c.stride, c.pad).pow(3).sum() as tf.Scalar;
    expect(await worstGradError(f, [x, filter])).toBeLessThan(1e-4);
  });

  it.each([
    { stride: 1, pad: 'same' as const, activation: 'relu' as const },
    { stride: 2, pad: 'valid' as const, activation: 'linear' as const },
  ])('fused conv2d with bias, stride $stride $pad $activation', async (c) => {
    const x = randomInput([3, 9, 8, 3], 13);
    const filter = randomInput([3, 3, 3, 5], 14);
    const bias = randomInput([5], 15);
    const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.fused.conv2d({
      x: xs as tf.Tensor4D, filter: ws as tf.Tensor4D, bias: bs, strides: c.stride, pad: c.pad, activation: c.activation,
    }).pow(3).sum() as tf.Scalar;
    expect(await worstGradError(f, [x, filter, bias])).toBeLessThan(1e-4);
  });

  it('registers Conv2DBackpropFilter and Conv2DBackpropInput for wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('conv2DBackpropInput');
  });

  it('names the kernel and the attr it cannot handle', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2],
    })).toThrow(/Conv2DBackpropFilter \(wasm\): dataFormat 'NCHW'/);
    tf.dispose([x, dy]);
  });
});
