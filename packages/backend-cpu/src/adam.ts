// Adam's update of one variable on cpu: core's host loop over tfjs-backend-cpu's typed arrays.
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, adamUpdateHost, type AdamUpdateAttrs } from '@spikeflow/core/backend';

interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

function adamUpdate({ inputs, backend, attrs }: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const cpu = backend as CpuBackend;
  const read = (t: tf.TensorInfo) => {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL} (cpu): expected float32 inputs, got ${t.dtype}`);
    return cpu.data.get(t.dataId).values;
  };
  const { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  const a = attrs as AdamUpdateAttrs;
  const n = tf.util.sizeFromShape(value.shape);
  const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  adamUpdateHost(read(value), read(gradient), read(m), read(v), read(oneMinusAccBeta1)[0], read(oneMinusAccBeta2)[0],
    a.learningRate, a.beta1, a.beta2, a.epsilon, outs[0], outs[1], outs[2]);
  return outs.map((values) => cpu.makeTensorInfo(value.shape, 'float32', values));
}

export const adamUpdateConfig: tf.KernelConfig = { kernelName: ADAM_UPDATE_KERNEL, backendName: 'cpu', kernelFunc: adamUpdate as unknown as tf.KernelFunc };
