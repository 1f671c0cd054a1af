import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilter } from '../src/index.js';

// tfjs's own kernel, computed the slow way, as the oracle: grad of sum(conv2d(x, w) * dy) w.r.t. w
// through the definition, with explicit loops.
function oracle(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], stride: number, pad: 'same' | 'valid'): Float32Array {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, stride, 1, pad);
  const [, H, W, Ci] = x.shape;
  const xd = x.dataSync();
  const dd = dy.dataSync();
  const out = new Float32Array(filterShape.reduce((a, b) => a * b));
  const [kh, kw, , Co] = filterShape;
  for (let fh = 0; fh < kh; fh++) for (let fw = 0; fw < kw; fw++) for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) {
    let s = 0;
    for (let b = 0; b < x.shape[0]; b++) for (let oy = 0; oy < info.outHeight; oy++) for (let ox = 0; ox < info.outWidth; ox++) {
      const iy = oy * stride + fh - info.padInfo.top;
      const ix = ox * stride + fw - info.padInfo.left;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      s += xd[((b * H + iy) * W + ix) * Ci + ci] * dd[((b * info.outHeight + oy) * info.outWidth + ox) * Co + co];
    }
    out[((fh * kw + fw) * Ci + ci) * Co + co] = s;
  }
  return out;
}

describe('Conv2DBackpropFilter on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: Array<[string, number[], [number, number, number, number], number, 'same' | 'valid']> = [
    ['3x3 same stride 1, odd sizes', [3, 7, 5, 3], [3, 3, 3, 5], 1, 'same'],
    ['3x3 valid stride 2', [2, 9, 8, 1], [3, 3, 1, 4], 2, 'valid'],
    ['5x5 same stride 2', [1, 11, 11, 2], [5, 5, 2, 3], 2, 'same'],
    ['1x1', [2, 4, 4, 6], [1, 1, 6, 2], 1, 'valid'],
  ];
  for (const [name, xShape, filterShape, stride, pad] of cases) {
    it(`${name}: matches the definition, dense and sparse (spike) inputs`, async () => {
      for (const sparse of [false, true]) {
        const x = tf.tidy(() => {
          const r = tf.randomUniform(xShape, -1, 1, 'float32', 3);
          return (sparse ? tf.cast(tf.greater(r, 0.6), 'float32') : r) as tf.Tensor4D;
        });
        const w = tf.randomNormal(filterShape, 0, 1, 'float32', 4) as tf.Tensor4D;
        const y = tf.conv2d(x, w, stride, pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 5) as tf.Tensor4D;
        const expected = oracle(x, dy, filterShape, stride, pad);
        // Through tf.grad: the registered kernel is what training uses.
        const g = tf.grad((wi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wi as tf.Tensor4D, stride, pad), dy)))(w);
        const got = await g.data();
        for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4 * (1 + Math.abs(expected[i])));
        const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, stride, 1, pad);
        const direct = conv2DBackpropFilter(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, x.shape, info);
        expect(Array.from(direct)).toEqual(Array.from(got));
        tf.dispose([x, w, y, dy, g]);
      }
    });
  }
});
