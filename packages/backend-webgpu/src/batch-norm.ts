import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from '@spikeflow/core/backend';
import { elementCount, f32, FlatProgram, i32 } from './flat-program.js';

/** Threads the per-chunk sums aim for in all (chunks x channels): enough to fill a GPU. */
const TARGET_THREADS = 16384;

/** Rows [R, C] cut into chunks of whole rows: one thread sums one channel over one chunk. */
function chunking(R: number, C: number): { chunks: number; rowsPerChunk: number } {
  const wanted = Math.min(R, Math.max(1, Math.ceil(TARGET_THREADS / C)));
  const rowsPerChunk = Math.ceil(R / wanted);
  return { chunks: Math.ceil(R / rowsPerChunk), rowsPerChunk };
}

type SumKind = 'mean' | 'variance' | 'grad';

/**
 * Per-chunk sums over the rows of [R, C] tensors, one thread per (chunk, channel); adjacent threads
 * read adjacent channels of a row. The forward sums are shifted by the channel's first row x[0, c]
 * (float32 keeps a large mean's digits that way): 'mean': sum (x - x0) / R -> [chunks, C], whose
 * chunk sum is D = mean - x0; 'variance': sum ((x - x0) - D)^2 / R (two passes: exact where one pass
 * of sums of squares would cancel). 'grad': sum dy and sum dy * xhat -> [chunks, 2, C]. Summing
 * the chunks gives the statistics.
 */
class ChunkSumProgram extends FlatProgram {
  uniforms = 'rows : i32, channels : i32, rowsPerChunk : i32, numChunks : i32, epsilon : f32,';

  constructor(private readonly kind: SumKind, R: number, C: number, chunks: number) {
    super(
      kind === 'mean' ? ['X'] : kind === 'variance' ? ['X', 'Shift'] : ['X', 'DY', 'Mean', 'Variance'],
      kind === 'grad' ? [chunks, 2, C] : [chunks, C],
      `spikeflow_bn_sum_${kind}`,
      chunks * C,
    );
  }

  getUserCode(): string {
    const body = {
      mean: 'acc = acc + (X[r * C + c] - x0);',
      variance: 'let d = (X[r * C + c] - x0) - m; acc = acc + d * d;',
      grad: 'let g = DY[r * C + c]; acc = acc + g; acc2 = acc2 + g * (X[r * C + c] - m);',
    }[this.kind];
    const write = this.kind === 'grad'
      ? 'result[(chunk * 2) * C + c] = acc; result[(chunk * 2 + 1) * C + c] = acc2 * inverseSqrt(Variance[c] + uniforms.epsilon);'
      : 'result[chunk * C + c] = acc / f32(uniforms.rows);';
    return `
fn main(index : i32) {
  let C = uniforms.channels;
  let chunk = index / C;
  let c = index - chunk * C;
  if (chunk >= uniforms.numChunks) { return; }
  let x0 = X[c];
  ${this.kind === 'mean' ? '' : this.kind === 'variance' ? 'let m = Shift[c];' : 'let m = Mean[c];'}
  var acc = 0.0;
  var acc2 = 0.0;
  let end = min((chunk + 1) * uniforms.rowsPerChunk, uniforms.rows);
  for (var r = chunk * uniforms.rowsPerChunk; r < end; r = r + 1) { ${body} }
  ${write}
}`;
  }
}

/**
 * Elementwise over [R, C]. 'normalise': y = ((x - x0) - D) / sqrt(variance + eps) * gamma + beta.
 * 'dx': dx = gamma / sqrt(variance + eps) * (dy - dbeta / R - xhat * dgamma / R), with the sums
 * [2, C] = (dbeta, dgamma). 'mean' (over [C]): mean = x0 + D.
 */
class ElementwiseProgram extends FlatProgram {
  size = true;
  uniforms = 'channels : i32, rows : i32, epsilon : f32,';

  constructor(private readonly kind: 'normalise' | 'dx' | 'mean', R: number, C: number) {
    const outputShape = kind === 'mean' ? [C] : [R, C];
    const variableNames = { normalise: ['X', 'Shift', 'Variance', 'Gamma', 'Beta'], dx: ['X', 'DY', 'Mean', 'Variance', 'Gamma', 'Sums'], mean: ['X', 'Shift'] }[kind];
    super(variableNames, outputShape, `spikeflow_bn_${kind}`, elementCount(outputShape));
  }

  getUserCode(): string {
    const value = {
      normalise: '((X[index] - X[c]) - Shift[c]) * inverseSqrt(Variance[c] + uniforms.epsilon) * Gamma[c] + Beta[c]',
      dx: 'Gamma[c] * inv * (DY[index] - (Sums[c] + (X[index] - Mean[c]) * inv * Sums[C + c]) / f32(uniforms.rows))',
      mean: 'X[c] + Shift[c]',
    }[this.kind];
    return `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let C = uniforms.channels;
  let c = index % C;
  ${this.kind === 'dx' ? 'let inv = inverseSqrt(Variance[c] + uniforms.epsilon);' : ''}
  result[index] = ${value};
}`;
  }
}

interface Kernels {
  sum: tf.KernelFunc;
  slice: tf.KernelFunc;
  reshape: tf.KernelFunc;
}

function tfjsKernels(): Kernels {
  const get = (name: string) => {
    const k = tf.getKernel(name, 'webgpu');
    if (!k) throw new Error(`@spikeflow/backend-webgpu: tfjs has no ${name} kernel for webgpu`);
    return k.kernelFunc;
  };
  return { sum: get('Sum'), slice: get('Slice'), reshape: get('Reshape') };
}

/** Sums [chunks, ...] over its chunks with tfjs's Sum, disposing the partials. */
function sumChunks(k: Kernels, backend: WebGPUBackend, partial: tf.TensorInfo): tf.TensorInfo {
  const total = k.sum({ inputs: { x: partial }, backend: backend as unknown as tf.KernelBackend, attrs: { axis: 0, keepDims: false } }) as tf.TensorInfo;
  backend.disposeData(partial.dataId);
  return total;
}

/** SpikeflowBatchNormTrain on webgpu: mean pass, variance pass, normalise, mean (6 dispatches with the sums). */
function forwardKernel(k: Kernels): tf.KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const backend = b as unknown as WebGPUBackend;
    const [R, C] = x.shape;
    const { chunks, rowsPerChunk } = chunking(R, C);
    const u = [i32(R), i32(C), i32(rowsPerChunk), i32(chunks), f32(epsilon)];
    const e = [i32(C), i32(R), f32(epsilon)];
    const shift = sumChunks(k, backend, backend.runWebGPUProgram(new ChunkSumProgram('mean', R, C, chunks), [x], 'float32', u));
    const variance = sumChunks(k, backend, backend.runWebGPUProgram(new ChunkSumProgram('variance', R, C, chunks), [x, shift], 'float32', u));
    const y = backend.runWebGPUProgram(new ElementwiseProgram('normalise', R, C), [x, shift, variance, gamma, beta], 'float32', e);
    const mean = backend.runWebGPUProgram(new ElementwiseProgram('mean', R, C), [x, shift], 'float32', e);
    backend.disposeData(shift.dataId);
    return [y, mean, variance];
  };
}

/** SpikeflowBatchNormTrainGrad on webgpu: one pass for (dbeta, dgamma), one for dx. */
function backwardKernel(k: Kernels): tf.KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', tf.TensorInfo>;
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const backend = b as unknown as WebGPUBackend;
    const kb = b as unknown as tf.KernelBackend;
    const [R, C] = x.shape;
    const { chunks, rowsPerChunk } = chunking(R, C);
    const u = [i32(R), i32(C), i32(rowsPerChunk), i32(chunks), f32(epsilon)];
    const sums = sumChunks(k, backend, backend.runWebGPUProgram(new ChunkSumProgram('grad', R, C, chunks), [x, dy, mean, variance], 'float32', u));
    const dx = backend.runWebGPUProgram(new ElementwiseProgram('dx', R, C), [x, dy, mean, variance, gamma, sums], 'float32', [i32(C), i32(R), f32(epsilon)]);
    const row = (i: number) => {
      const s = k.slice({ inputs: { x: sums }, backend: kb, attrs: { begin: [i, 0], size: [1, C] } }) as tf.TensorInfo;
      const r = k.reshape({ inputs: { x: s }, backend: kb, attrs: { shape: [C] } }) as tf.TensorInfo;
      backend.disposeData(s.dataId);
      return r;
    };
    const [dbeta, dgamma] = [row(0), row(1)];
    backend.disposeData(sums.dataId);
    return [dx, dgamma, dbeta];
  };
}

let configs: tf.KernelConfig[] | undefined;

/** The training batch norm kernels for webgpu (needs tfjs-backend-webgpu loaded). */
export function batchNormKernelConfigs(): tf.KernelConfig[] {
  if (!configs) {
    const k = tfjsKernels();
    configs = [
      { kernelName: BATCH_NORM_TRAIN_KERNEL, backendName: 'webgpu', kernelFunc: forwardKernel(k) },
      { kernelName: BATCH_NORM_TRAIN_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: backwardKernel(k) },
    ];
  }
  return configs;
}
