// Batch norm for training on cpu: core's host loops over tfjs-backend-cpu's typed arrays, in
// place of the dozen elementwise and reduction ops the reference runs.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, batchNormTrainGradHost, batchNormTrainHost } from '@spikeflow/core/backend';

interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

type Args = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: unknown };

function values(backend: CpuBackend, t: tf.TensorInfo, kernel: string): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`${kernel} (cpu): expected float32 inputs, got ${t.dtype}`);
  return backend.data.get(t.dataId).values;
}

function forward({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const cpu = backend as CpuBackend;
  const { x, gamma, beta } = inputs;
  const [rows, channels] = x.shape;
  const y = new Float32Array(rows * channels);
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  const read = (t: tf.TensorInfo) => values(cpu, t, BATCH_NORM_TRAIN_KERNEL);
  batchNormTrainHost(read(x), read(gamma), read(beta), (attrs as { epsilon: number }).epsilon, rows, channels, y, mean, variance);
  return [cpu.makeTensorInfo(x.shape, 'float32', y), cpu.makeTensorInfo([channels], 'float32', mean), cpu.makeTensorInfo([channels], 'float32', variance)];
}

function backward({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const cpu = backend as CpuBackend;
  const { dy, x, mean, variance, gamma } = inputs;
  const [rows, channels] = x.shape;
  const dx = new Float32Array(rows * channels);
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  const read = (t: tf.TensorInfo) => values(cpu, t, BATCH_NORM_TRAIN_GRAD_KERNEL);
  batchNormTrainGradHost(read(dy), read(x), read(mean), read(variance), read(gamma), (attrs as { epsilon: number }).epsilon, rows, channels, dx, dgamma, dbeta);
  return [cpu.makeTensorInfo(x.shape, 'float32', dx), cpu.makeTensorInfo([channels], 'float32', dgamma), cpu.makeTensorInfo([channels], 'float32', dbeta)];
}

export const batchNormTrainConfig: tf.KernelConfig = { kernelName: BATCH_NORM_TRAIN_KERNEL, backendName: 'cpu', kernelFunc: forward as unknown as tf.KernelFunc };
export const batchNormTrainGradConfig: tf.KernelConfig = { kernelName: BATCH_NORM_TRAIN_GRAD_KERNEL, backendName: 'cpu', kernelFunc: backward as unknown as tf.KernelFunc };
