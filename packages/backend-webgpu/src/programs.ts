import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** FNV-1a of the shader source: tfjs caches pipelines by shaderKey, so the key must name the code. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * A one-thread-per-neuron program over M neurons whose body loops over T itself. tfjs generates
 * the bindings (`result`, one storage array per variable name) and the uniforms struct around it.
 */
export class NeuronProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = 'numNeurons : i32, numSteps : i32, numGroups : i32,';
  private readonly body: string;

  constructor(kind: string, body: string, variableNames: string[], outputShape: number[], numNeurons: number, workgroupSize: number) {
    this.body = body;
    this.variableNames = variableNames;
    this.outputShape = outputShape;
    this.workgroupSize = [workgroupSize, 1, 1];
    this.dispatch = [numGroups(numNeurons, workgroupSize), 1, 1];
    this.shaderKey = `spikeflow_${kind}_${hash(body)}_${variableNames.length}_${workgroupSize}`;
  }

  getUserCode(): string {
    return this.body;
  }
}

export const numGroups = (numNeurons: number, workgroupSize: number): number => Math.ceil(numNeurons / workgroupSize);

/** Runs a neuron program on the current webgpu backend; the output stays on the GPU. */
export function runNeuronProgram(program: NeuronProgram, inputs: tf.Tensor[], T: number, M: number): tf.Tensor {
  if (tf.getBackend() !== 'webgpu') throw new Error(`fused neuron kernels run on the webgpu backend, not "${tf.getBackend()}"`);
  const backend = tf.backend() as unknown as WebGPUBackend;
  // A buffer above the device's binding limit fails validation deep in the queue: say it here.
  const limit = backend.device.limits.maxStorageBufferBindingSize;
  const largest = Math.max(...[program.outputShape, ...inputs.map((t) => t.shape)].map((s) => 4 * s.reduce((a, b) => a * b, 1)));
  if (largest > limit) {
    throw new Error(`fused neuron op: a ${(largest / 2 ** 20).toFixed(0)} MiB buffer (T=${T}, M=${M}) exceeds this adapter's maxStorageBufferBindingSize (${(limit / 2 ** 20).toFixed(0)} MiB); use a smaller batch or fewer time steps (a tensor this large cannot be bound by any program on this adapter)`);
  }
  const uniforms = [{ type: 'int32', data: [M] }, { type: 'int32', data: [T] }, { type: 'int32', data: [numGroups(M, program.workgroupSize[0])] }];
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

