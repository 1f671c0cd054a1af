import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

type KernelFunc = tf.KernelConfig['kernelFunc'];

let patched = false;

/**
 * tfjs-backend-webgpu 4.22's AddN binds every input in one program: past the adapter's
 * maxStorageBuffersPerShaderStage (8 on many) the pipeline fails validation, the queued submission
 * is dropped and other tensors' results are lost with it. Add in groups that fit instead.
 */
export function patchWebGPUAddN(): void {
  if (patched) return;
  const addN = tf.getKernel('AddN', 'webgpu');
  if (!addN) return;
  const original = addN.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as unknown as WebGPUBackend;
    const perProgram = Math.max(2, (backend.device.limits.maxStorageBuffersPerShaderStage ?? 8) - 1);
    if (inputs.length <= perProgram) return original(args);
    const run = (group: tf.TensorInfo[]) => original({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    let level = inputs;
    const made: tf.TensorInfo[] = [];
    while (level.length > perProgram) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += perProgram) {
        const group = level.slice(i, i + perProgram);
        if (group.length === 1) next.push(group[0]);
        else {
          const sum = run(group);
          made.push(sum);
          next.push(sum);
        }
      }
      level = next;
    }
    const out = run(level);
    for (const t of made) backend.disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...addN, kernelFunc });
  patched = true;
}
