import * as tf from '@tensorflow/tfjs';

type WebGPUModule = typeof import('@tensorflow/tfjs-backend-webgpu');

/**
 * Registers tfjs's 'webgpu' backend when its module was imported before navigator.gpu existed
 * (it registers itself only if WebGPU is there at import time). Same device settings as tfjs's own.
 */
export function registerWebGPUBackend(mod: WebGPUModule, adapter: any): void {
  if (tf.findBackendFactory('webgpu')) return;
  tf.registerBackend('webgpu', async () => {
    const requiredFeatures: string[] = [];
    if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
    if (adapter.features.has('bgra8unorm-storage')) requiredFeatures.push('bgra8unorm-storage');
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    return new mod.WebGPUBackend(device, adapter.info);
  }, 3);
}
