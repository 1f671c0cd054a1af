// The spike path of Conv2D, Conv2DBackpropFilter and BatchMatMul, the direct first-layer filter
// gradient, the SIMD max-pooling gradient and Tile's gradient, on the threaded wasm build (two
// threads, so the pool and the partial sums run): each against tfjs-cpu, and the spike path against
// the dense path of the same backend. The forward sums are in the dense GEMM's order, so
// they match it bit for bit; gradients match within float32 rounding.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWasmNeuronThreads, setup, setWasmSpikeKernels } from '../src/index.js';
import { wasmSpikeKernelCounts } from '../src/spike-kernels.js';
import { randomValues } from './helpers.js';

beforeAll(async () => {
  const report = await setup({ threads: 2 });
  expect(report.threads).toBe(2);
});
afterAll(async () => {
  setWasmSpikeKernels(true);
  await closeWasmNeuronThreads();
});

/** 0/1 values, about `rate` of them 1 (deterministic). */
function spikes(count: number, rate: number, seed: number): Float32Array {
  return randomValues(count, seed).map((v) => (v + 0.5 < rate ? 1 : 0));
}

type Fn = (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/** y = f(x, w) and the gradients of sum(y^3) on the current backend. */
function evaluate(f: Fn, x: Float32Array, xShape: number[], w: Float32Array, wShape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const xs = tf.tensor(x, xShape);
    const ws = tf.tensor(w, wShape);
    const y = f(xs, ws);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).pow(3).sum())([xs, ws]);
    return [y, gx, gw].map((t) => t.dataSync() as Float32Array);
  });
}

const relativeError = (a: Float32Array, b: Float32Array): number => {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / Math.max(scale, 1e-30);
};

interface Result { spike: Float32Array[]; dense: Float32Array[]; cpu: Float32Array[]; ran: ReturnType<typeof wasmSpikeKernelCounts> }

async function compare(f: Fn, x: Float32Array, xShape: number[], w: Float32Array, wShape: number[]): Promise<Result> {
  await tf.setBackend('cpu');
  const cpu = evaluate(f, x, xShape, w, wShape);
  await tf.setBackend('wasm');
  setWasmSpikeKernels(false);
  const dense = evaluate(f, x, xShape, w, wShape);
  setWasmSpikeKernels(true);
  const before = wasmSpikeKernelCounts();
  const spike = evaluate(f, x, xShape, w, wShape);
  const after = wasmSpikeKernelCounts();
  const ran = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]])) as Result['ran'];
  return { spike, dense, cpu, ran };
}

interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; stride: number | [number, number]; pad: 'same' | 'valid'; rate: number }
const convCases: ConvCase[] = [
  { n: 8, h: 14, w: 14, ci: 32, co: 32, k: 3, stride: 1, pad: 'same', rate: 0.12 }, // the CSNN's second convolution
  { n: 8, h: 9, w: 11, ci: 36, co: 40, k: 3, stride: 2, pad: 'same', rate: 0.12 }, // two mask words, two channel blocks (32 + 8)
  { n: 16, h: 10, w: 7, ci: 64, co: 12, k: 3, stride: [2, 1], pad: 'valid', rate: 0.12 },
  { n: 4, h: 12, w: 12, ci: 20, co: 64, k: 5, stride: 1, pad: 'same', rate: 0.12 },
  // most inputs spiking: positions with more than 16 events (the flat lists' longer copy)
  { n: 4, h: 10, w: 10, ci: 40, co: 32, k: 3, stride: 1, pad: 'same', rate: 0.7 },
];

describe('spike path on wasm (two threads)', () => {
  it.each(convCases)('conv2d of spikes x[$n,$h,$w,$ci] k$k Co$co stride $stride $pad rate $rate', async (c) => {
    const xShape = [c.n, c.h, c.w, c.ci];
    const wShape = [c.k, c.k, c.ci, c.co];
    const x = spikes(xShape.reduce((a, b) => a * b), c.rate, 21);
    const w = randomValues(wShape.reduce((a, b) => a * b), 22);
    const f: Fn = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
    const r = await compare(f, x, xShape, w, wShape);
    expect(r.ran.product).toBe(2); // y, and again inside tf.grads
    expect(r.ran.filterGradient).toBe(1);
    // Forward: the dense kernel's sums, bit for bit; gradients: float32 rounding of another order.
    expect(r.spike[0]).toEqual(r.dense[0]);
    for (let i = 0; i < 3; i++) expect(relativeError(r.spike[i], r.cpu[i])).toBeLessThan(1e-5);
    expect(relativeError(r.spike[2], r.dense[2])).toBeLessThan(1e-5);
  });

  it.each([
    { m: 64, k: 392, n: 64, name: 'two groups of 32 units' },
    { m: 600, k: 100, n: 44, name: 'a partial mask word, groups of 32 and 12 units, rows on two threads' },
  ])('dense layer of spikes x[$m,$k] · w[$k,$n]: forward and weight gradient by event lists', async ({ m, k, n }) => {
    const x = spikes(m * k, 0.14, 31);
    const w = randomValues(k * n, 32);
    const r = await compare((a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), x, [m, k], w, [k, n]);
    expect(r.ran.denseProduct).toBe(2); // y, and again inside tf.grads
    expect(r.ran.denseWeightGradient).toBe(1);
    expect(r.spike[0]).toEqual(r.dense[0]);
    for (let i = 0; i < 3; i++) expect(relativeError(r.spike[i], r.cpu[i])).toBeLessThan(1e-5);
    // xᵀ·dy adds, for each input, the dy rows where it spikes in row order, one float32 running sum
    const dy = randomValues(m * n, 33);
    const before = wasmSpikeKernelCounts().denseWeightGradient;
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(x, [m, k]), tf.tensor2d(dy, [m, n]), true, false).dataSync() as Float32Array);
    expect(wasmSpikeKernelCounts().denseWeightGradient).toBe(before + 1);
    const want = new Float32Array(k * n);
    for (let row = 0; row < m; row++) for (let c = 0; c < k; c++) if (x[row * k + c] === 1) for (let j = 0; j < n; j++) want[c * n + j] += dy[row * n + j];
    expect(got).toEqual(want);
  });

  it('real-valued inputs run the dense kernels, with the same results', async () => {
    const xShape = [8, 14, 14, 32];
    const x = spikes(8 * 14 * 14 * 32, 0.12, 41);
    x[12345] = 0.5; // one value that is not a spike
    const w = randomValues(3 * 3 * 32 * 32, 42);
    const r = await compare((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), x, xShape, w, [3, 3, 32, 32]);
    expect(r.ran.product).toBe(0);
    expect(r.ran.filterGradient).toBe(0);
    for (let i = 0; i < 3; i++) expect(r.spike[i]).toEqual(r.dense[i]);
    for (let i = 0; i < 3; i++) expect(relativeError(r.spike[i], r.cpu[i])).toBeLessThan(1e-5);
  });

  it('first-layer filter gradient of real inputs (one channel) runs the direct kernel', async () => {
    const xShape = [8, 28, 28, 1];
    const x = randomValues(8 * 28 * 28, 51).map((v) => Math.max(0, v + 0.2)); // zeros and reals, like images
    const w = randomValues(3 * 3 * 32, 52);
    const r = await compare((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), x, xShape, w, [3, 3, 1, 32]);
    expect(r.ran.realFilterGradient).toBe(1);
    for (let i = 0; i < 3; i++) expect(relativeError(r.spike[i], r.cpu[i])).toBeLessThan(1e-5);
  });

  it('max-pooling gradient of spikes (ties everywhere) goes to the first maximum, as on cpu', async () => {
    const xShape = [16, 14, 14, 32];
    const x = spikes(16 * 14 * 14 * 32, 0.3, 61);
    const dy = randomValues(16 * 7 * 7 * 32, 62).map((v) => v - 0.1); // negative ones too
    const grad = () => tf.tidy(() => {
      const xs = tf.tensor4d(x, xShape as [number, number, number, number]);
      const g = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').mul(tf.tensor(dy, [16, 7, 7, 32])).sum())(xs);
      return g.dataSync() as Float32Array;
    });
    await tf.setBackend('cpu');
    const cpu = grad();
    await tf.setBackend('wasm');
    const before = wasmSpikeKernelCounts().poolGrad;
    const wasm = grad();
    expect(wasmSpikeKernelCounts().poolGrad).toBe(before + 1);
    expect(wasm).toEqual(cpu);
    expect(Array.from(wasm).some((v) => Object.is(v, -0))).toBe(false);
  });

  it("Tile's gradient (an input repeated over T steps) is the sum over the repetitions", async () => {
    const x = randomValues(2 * 3 * 5, 71);
    const dy = randomValues(4 * 2 * 3 * 10, 72);
    const grad = (reps: number[], dyShape: number[]) => tf.tidy(() => {
      const g = tf.grad((a: tf.Tensor) => tf.tile(a, reps).mul(tf.tensor(dy.subarray(0, dyShape.reduce((p, q) => p * q)), dyShape)).sum())(tf.tensor(x, [2, 3, 5]));
      return g.dataSync() as Float32Array;
    });
    for (const [reps, shape] of [[[4, 1, 1], [8, 3, 5]], [[2, 1, 2], [4, 3, 10]], [[1, 1, 1], [2, 3, 5]]] as const) {
      await tf.setBackend('cpu');
      const cpu = grad([...reps], [...shape]);
      await tf.setBackend('wasm');
      expect(relativeError(grad([...reps], [...shape]), cpu)).toBeLessThan(1e-6);
    }
  });

  it.each([100_000, 100_002])('sums over a leading axis of rows wider than AvgPool handles (it corrupted the heap past ~10,000 channels): %i columns', async (cols) => {
    const values = randomValues(8 * cols, 81);
    const sum = () => tf.tidy(() => tf.sum(tf.tensor(values, [8, 1, 1, cols]), [0]).dataSync() as Float32Array);
    await tf.setBackend('cpu');
    const cpu = sum();
    await tf.setBackend('wasm');
    const wasm = sum();
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
    // row by row in float32, in row order (the SIMD rows module for columns in fours, else a loop)
    const rowOrder = values.slice(0, cols);
    for (let r = 1; r < 8; r++) for (let c = 0; c < cols; c++) rowOrder[c] += values[r * cols + c];
    expect(wasm).toEqual(rowOrder);
    tf.tidy(() => tf.ones([1000, 100]).sum().dataSync()); // the heap still allocates and frees
  });
});
