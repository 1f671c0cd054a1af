import type { WebGPULimits } from './limits.js';

/**
 * Threads per workgroup the neuron programs aim for when the adapter allows it. On lavapipe 64, 256
 * and 1024 time the same (the PLIF layer at N = 2^20, T = 8); 256 is the usual size for one thread
 * per element on GPUs. scripts/gpu-check.mjs times 64 and 256 on a GPU.
 */
export const PREFERRED_NEURON_WORKGROUP = 256;

let preferred = PREFERRED_NEURON_WORKGROUP;

/** Sets the workgroup size the neuron programs aim for (setup({ workgroupSize })); no argument restores the default. */
export function preferNeuronWorkgroupSize(size: number = PREFERRED_NEURON_WORKGROUP): void {
  if (!(Number.isInteger(size) && size > 0 && (size & (size - 1)) === 0)) {
    throw new Error(`workgroupSize must be a power of two (1, 2, 4, ... 1024), got ${size}`);
  }
  preferred = size;
}

const floorPow2 = (v: number) => 2 ** Math.floor(Math.log2(Math.max(1, v)));

/**
 * Threads per workgroup of a neuron program: the preferred size, lowered to what the adapter allows
 * (invocations per workgroup, workgroup size in x) and, with P trainable parameters, to what its
 * workgroup memory holds (P partial sums per thread). A power of two.
 */
export function neuronWorkgroupSize(limits: Pick<WebGPULimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX' | 'maxComputeWorkgroupStorageSize'>, numParams = 1): number {
  const storage = numParams > 0 ? Math.floor(limits.maxComputeWorkgroupStorageSize / (4 * numParams)) : Infinity;
  return floorPow2(Math.min(preferred, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX, storage));
}
