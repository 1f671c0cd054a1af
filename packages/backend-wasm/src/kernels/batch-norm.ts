// Batch norm for training on wasm: the SIMD module on the thread pool (batch-norm-simd.ts) where it
// is built (binaryen loaded) and the channels come in fours; else XNNPACK operators where the
// tensor is large enough (batch-norm-xnnpack.ts); else core's host loops on views of the wasm heap,
// reading the inputs and writing the outputs in place (no copies out of the heap and back).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, batchNormTrainGradHost, batchNormTrainHost } from '@spikeflow/core/backend';
import { wasmKernel, type WasmKernelArgs } from '../wasm-call.js';
import { batchNormTrainGradSimd, batchNormTrainSimd } from '../batch-norm-simd.js';
import { batchNormTrainGradXnnpack, batchNormTrainXnnpack, xnnpackBatchNormFits } from '../batch-norm-xnnpack.js';

type Args = WasmKernelArgs<string, { epsilon: number }>;

function checkFloat32(kernel: string, inputs: Record<string, TensorInfo>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (wasm): input ${name} must be float32, got ${t.dtype}`);
  }
}

function forward({ inputs, backend, attrs }: Args): TensorInfo[] {
  checkFloat32(BATCH_NORM_TRAIN_KERNEL, inputs);
  const { x, gamma, beta } = inputs;
  const [rows, channels] = x.shape;
  const simd = batchNormTrainSimd(backend, x, gamma, beta, attrs.epsilon);
  if (simd) return simd;
  if (xnnpackBatchNormFits(rows, channels)) {
    const outs = batchNormTrainXnnpack(backend, x, gamma, beta, attrs.epsilon);
    if (outs) return outs;
  }
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  // Views only after every allocation: growing the heap detaches earlier ones.
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  batchNormTrainHost(view(x), view(gamma), view(beta), attrs.epsilon, rows, channels, view(outs[0]), view(outs[1]), view(outs[2]));
  return outs;
}

function backward({ inputs, backend, attrs }: Args): TensorInfo[] {
  checkFloat32(BATCH_NORM_TRAIN_GRAD_KERNEL, inputs);
  const { dy, x, mean, variance, gamma } = inputs;
  const [rows, channels] = x.shape;
  const simd = batchNormTrainGradSimd(backend, dy, x, mean, variance, gamma, attrs.epsilon);
  if (simd) return simd;
  if (xnnpackBatchNormFits(rows, channels)) {
    const outs = batchNormTrainGradXnnpack(backend, dy, x, mean, variance, gamma, attrs.epsilon);
    if (outs) return outs;
  }
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  batchNormTrainGradHost(view(dy), view(x), view(mean), view(variance), view(gamma), attrs.epsilon, rows, channels, view(outs[0]), view(outs[1]), view(outs[2]));
  return outs;
}

export const batchNormTrainConfig: KernelConfig = wasmKernel(BATCH_NORM_TRAIN_KERNEL, forward);
export const batchNormTrainGradConfig: KernelConfig = wasmKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, backward);
