// Gradient and value checks, wasm vs tfjs-cpu, for every kernel this package adds or replaces
// besides the convolution gradients (conv-grads.test.ts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomInput, relativeError, worstGradError } from './helpers.js';
import { productCosts } from '../src/kernels/batch-mat-mul.js';

const TOL = 1e-4;

describe('MaxPoolGrad', () => {
  const cases = [
    { shape: [1, 6, 6, 1], size: 2, stride: 2, pad: 'valid' as const },
    { shape: [3, 7, 5, 3], size: 2, stride: 2, pad: 'same' as const },
    { shape: [3, 9, 9, 5], size: 3, stride: 2, pad: 'same' as const }, // overlapping windows
    { shape: [1, 8, 7, 5], size: 3, stride: 1, pad: 'valid' as const },
    // Disjoint windows (the unrolled path): odd sizes leave rows and columns no window covers.
    { shape: [2, 7, 9, 5], size: 2, stride: 2, pad: 'valid' as const },
    { shape: [2, 9, 9, 3], size: 3, stride: 3, pad: 'valid' as const },
    { shape: [2, 8, 11, 3], size: 2, stride: 3, pad: 'valid' as const }, // gaps between windows
    { shape: [3, 6, 6, 4], size: [1, 2] as [number, number], stride: [1, 2] as [number, number], pad: 'valid' as const },
  ];
  it.each(cases)('pool $size stride $stride $pad on $shape', async (c) => {
    const x = randomInput(c.shape, 21);
    const f = (xs: tf.Tensor) =>
      tf.maxPool(xs as tf.Tensor4D, c.size, c.stride, c.pad).pow(3).sum() as tf.Scalar;
    expect(await worstGradError(f, [x])).toBeLessThan(TOL);
  });

  it.each([
    { shape: [4, 8, 8, 6], size: 2, stride: 2 },
    { shape: [3, 9, 7, 5], size: 2, stride: 2 },
    { shape: [2, 9, 9, 4], size: 3, stride: 3 },
  ])('routes dy to the first 1 of each window of spikes, like tfjs-cpu: pool $size on $shape', async (c) => {
    // Spikes: windows of several 1s (and of only 0s) tie; dy varies per window so misrouting shows.
    const spikes = Float32Array.from(randomInput(c.shape, 23).values, (v) => (v > 0.2 ? 1 : 0));
    const grads = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(spikes, c.shape as [number, number, number, number]);
        const y = tf.maxPool(x, c.size, c.stride, 'valid');
        const dy = tf.tensor(randomInput(y.shape, 24).values, y.shape);
        return tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(z as tf.Tensor4D, c.size, c.stride, 'valid'), dy)))(x).dataSync();
      });
    };
    const [cpu, wasm] = [await grads('cpu'), await grads('wasm')];
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    expect(cpu.some((v) => v !== 0)).toBe(true);
  });

  it.each([
    { shape: [4, 8, 8, 8], size: [2, 2], stride: [2, 2], pad: 'valid' }, // disjoint, channels in fours (the SIMD path for float32)
    { shape: [2, 9, 7, 3], size: [2, 2], stride: [2, 2], pad: 'valid' }, // disjoint, uncovered edges, 3 channels
    { shape: [2, 8, 11, 4], size: [2, 2], stride: [3, 3], pad: 'valid' }, // gaps between windows
    { shape: [2, 9, 9, 4], size: [3, 3], stride: [2, 2], pad: 'same' }, // overlapping windows (the general loop)
  ] as const)('takes bool spikes as input and output, bit for bit the float32 result: pool $size stride $stride $pad on $shape', async (c) => {
    await tf.setBackend('wasm');
    const spikes = Float32Array.from(randomInput([...c.shape], 25).values, (v) => (v > 0.2 ? 1 : 0));
    const [dxFloat, dxBool] = tf.tidy(() => {
      const x = tf.tensor4d(spikes, [...c.shape] as [number, number, number, number]);
      const y = tf.maxPool(x, [...c.size], [...c.stride], c.pad);
      // Negative zeros and negative values in dy: written as the float32 kernels write them.
      const dyValues = randomInput(y.shape, 26).values.map((v, i) => (i % 7 === 0 ? -0 : v));
      const dy = tf.tensor(dyValues, y.shape);
      const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad } as unknown as tf.NamedAttrMap;
      const run = (input: tf.Tensor, output: tf.Tensor) => (tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output }, attrs) as tf.Tensor).dataSync();
      return [run(x, y), run(tf.cast(x, 'bool'), tf.cast(y, 'bool'))];
    });
    expect(Array.from(new Uint32Array(Float32Array.from(dxBool).buffer))).toEqual(Array.from(new Uint32Array(Float32Array.from(dxFloat).buffer)));
    expect(dxFloat.some((v) => v !== 0)).toBe(true);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toMatchObject({ traits: { boolMaxPoolGradInputs: true } });
  });

  it('sends the gradient of tied windows (ReLU zeros) to the first maximum, like tfjs-cpu', async () => {
    const x = randomInput([2, 6, 6, 3], 22);
    const f = (xs: tf.Tensor) => tf.maxPool(tf.relu(xs.sub(0.3)) as tf.Tensor4D, 2, 2, 'valid').sum() as tf.Scalar;
    const g = (xs: tf.Tensor) => tf.maxPool(xs.sub(0.3).relu() as tf.Tensor4D, 2, 2, 'valid').mul(2).sum() as tf.Scalar;
    expect(await worstGradError(f, [x])).toBeLessThan(TOL);
    expect(await worstGradError(g, [x])).toBeLessThan(TOL);
    // Windows made entirely of zeros: only the first position may receive dy.
    await tf.setBackend('wasm');
    const dx = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.maxPool(z as tf.Tensor4D, 2, 2, 'valid').sum())(tf.zeros([1, 2, 2, 1])));
    expect(Array.from(dx.dataSync())).toEqual([1, 0, 0, 0]);
    dx.dispose();
  });
});

describe('BatchMatMul with transposed operands', () => {
  const cases = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true, swapped: true },
    { a: [2, 7, 5], b: [2, 3, 7], ta: true, tb: true }, // batched: the wasm backend's own loop
    // Computed as (op(B)ᵀ·op(A)ᵀ)ᵀ, which packs the smaller operand (see productCosts).
    { a: [3, 20], b: [40, 20], ta: false, tb: true, swapped: true },
    { a: [2, 50], b: [50, 60], ta: false, tb: false, swapped: true },
    { a: [30, 2], b: [30, 50], ta: true, tb: false, swapped: true },
    { a: [20, 3], b: [40, 20], ta: true, tb: true, swapped: true },
  ];
  it.each(cases)('a$a b$b transposeA=$ta transposeB=$tb', async (c) => {
    const [m, k] = c.ta ? [c.a.at(-1)!, c.a.at(-2)!] : [c.a.at(-2)!, c.a.at(-1)!];
    const { direct, swapped } = productCosts(m, k, c.tb ? c.b.at(-2)! : c.b.at(-1)!, c.ta, c.tb);
    if (c.a.length === 2) expect(swapped < direct).toBe(c.swapped === true);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, c.ta, c.tb).pow(3).sum() as tf.Scalar;
    expect(await worstGradError(f, [randomInput(c.a, 31), randomInput(c.b, 32)])).toBeLessThan(TOL);
  });
});

describe('Sum and Mean over leading axes', () => {
  const cases = [
    { shape: [3, 5, 5, 3], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 5, 5, 3], axis: [0, 1, 2], keepDims: true },
    { shape: [64, 40, 3], axis: [0, 1], keepDims: false }, // 2560 rows: two pooling rounds
    { shape: [1031, 2], axis: 0, keepDims: false }, // prime row count: the wasm backend's own kernel
    { shape: [4, 6, 5], axis: [1, 2], keepDims: false }, // inner axes: the wasm backend's own kernel
    { shape: [4, 6], axis: [0, 1], keepDims: false }, // all axes
  ];
  it.each(cases)('sum/mean of $shape over $axis keepDims=$keepDims', async (c) => {
    const x = randomInput(c.shape, 41);
    const weights = (t: tf.Tensor) => t.mul(tf.range(1, t.size + 1).reshape(t.shape).div(t.size));
    const f = (xs: tf.Tensor) =>
      weights(tf.sum(xs.square(), c.axis, c.keepDims)).sum().add(weights(tf.mean(xs.pow(3), c.axis, c.keepDims)).sum()) as tf.Scalar;
    expect(await worstGradError(f, [x])).toBeLessThan(TOL);
  });
});

describe('Slice and Unpack', () => {
  it.each([
    { shape: [4, 3, 5], begin: [1, 0, 2], size: [2, -1, 3] },
    { shape: [3, 6, 4, 2], begin: [0, 1, 0, 0], size: [3, 4, 4, 2] },
    { shape: [7], begin: [2], size: [4] },
  ])('slices $shape from $begin size $size like tfjs-cpu', async (c) => {
    const f = (xs: tf.Tensor) => tf.slice(xs, c.begin, c.size).pow(3).sum() as tf.Scalar;
    expect(await worstGradError(f, [randomInput(c.shape, 71)])).toBeLessThan(TOL);
  });

  it.each([0, 1, 2])('unstacks along axis %i like tfjs-cpu', async (axis) => {
    const f = (xs: tf.Tensor) =>
      tf.unstack(xs, axis).reduce((acc, t, i) => acc.add(t.pow(3).mul(i + 1).sum()), tf.scalar(0)) as tf.Scalar;
    expect(await worstGradError(f, [randomInput([4, 3, 5], 72)])).toBeLessThan(TOL);
  });

  it('slices int32 tensors', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
    tf.tidy(() => {
      expect(tf.slice(x, [1, 1], [1, 2]).arraySync()).toEqual([[5, 6]]);
      expect(tf.unstack(x, 1).map((t) => t.arraySync())).toEqual([[1, 4], [2, 5], [3, 6]]);
    });
    x.dispose();
  });
});

describe('Tile, Identity and Cast', () => {
  it('tiles whole-tensor repeats and general repeats like tfjs-cpu', async () => {
    for (const [shape, reps] of [
      [[1, 1, 3], [4, 5, 1]], [[2, 3], [3, 2]], [[1, 2, 1], [2, 1, 3]],
      [[3, 2, 2, 1], [4, 1, 1, 1]], // a batch repeated T times
      [[2, 3, 2], [1, 2, 3]], [[2, 1, 3], [2, 3, 1]], [[5], [3]], [[2, 2], [1, 1]], [[2, 3, 1, 2], [3, 1, 2, 1]],
    ]) {
      const x = randomInput(shape, 51);
      const f = (xs: tf.Tensor) => tf.tile(xs, reps).pow(3).mul(tf.range(0, xs.size * reps.reduce((p, q) => p * q)).reshape(
        shape.map((d, i) => d * reps[i]))).sum() as tf.Scalar;
      expect(await worstGradError(f, [x])).toBeLessThan(TOL);
    }
  });

  it('tiles int32 and bool tensors', async () => {
    await tf.setBackend('wasm');
    const i = tf.tensor([[1, 2]], [1, 2], 'int32');
    const b = tf.tensor([[true, false]], [1, 2], 'bool');
    expect(tf.tile(i, [3, 1]).arraySync()).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(tf.tile(b, [2, 2]).arraySync()).toEqual([[1, 0, 1, 0], [1, 0, 1, 0]]);
    tf.dispose([i, b]);
  });

  it('shares memory for Identity and same-dtype Cast but stays independent after disposal', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2, 3]);
    const copy = x.clone();
    const same = tf.cast(x, 'float32');
    const asInt = tf.cast(x, 'int32');
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3]);
    expect(asInt.dtype).toBe('int32');
    expect(relativeError(asInt.dataSync(), [1, -2, 3])).toBe(0);
    tf.dispose([copy, same, asInt]);
  });
});
