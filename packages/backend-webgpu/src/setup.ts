import * as tf from '@tensorflow/tfjs';
import { type BackendSetupOptions } from '@spikeflow/core';
import { registerKernels } from '@spikeflow/core/backend';
import { describeAdapter, noAdapterMessage, type AdapterReport } from './adapter.js';
import { registerWebGPUBackend } from './backend-factory.js';
import { ensureNavigatorGpu } from './node-gpu.js';
import { registerFusedNeuronKernels, unregisterFusedNeuronKernels } from './register.js';
import { registerFirstMaxPoolGrad } from './max-pool.js';
import { conv2DBackpropFilterConfig } from './conv-filter-grad.js';
import { batchNormKernelConfigs } from './batch-norm.js';
import { patchWebGPUTile } from './tile-patch.js';
import { patchWebGPUAddN } from './addn-patch.js';
import { effectiveLimits, type WebGPULimits } from './limits.js';
import { neuronWorkgroupSize, preferNeuronWorkgroupSize } from './workgroup.js';

export interface SetupOptions extends BackendSetupOptions {
  powerPreference?: 'high-performance' | 'low-power';
  /** Register the fused neuron kernels (default true); false leaves the reference op on webgpu. */
  fuse?: boolean;
  /** Dawn toggles in Node, e.g. ['backend=vulkan'] or ['adapter=NVIDIA']. */
  dawnFlags?: string[];
  /** Threads per workgroup the neuron programs aim for (a power of two; lowered to the adapter's limits). */
  workgroupSize?: number;
}

/** What setupAdapter() found: the adapter, and the sizes spikeflow's programs took from its limits. */
export interface AdapterSetup extends AdapterReport {
  /** Threads per workgroup of the fused neuron programs (for a layer with one trainable parameter). */
  neuronWorkgroupSize: number;
  limits: WebGPULimits;
}

/**
 * Prepares WebGPU for spikeflow, in a browser (navigator.gpu) or in Node (Dawn): finds an adapter,
 * registers tfjs's webgpu backend and the fused neuron kernels, and reports the adapter. Throws,
 * saying what to install, when there is no adapter.
 */
export async function setupAdapter(options: SetupOptions = {}): Promise<AdapterSetup> {
  const { gpu, runtime } = await ensureNavigatorGpu(options.dawnFlags);
  let adapter: any = null;
  let detail = '';
  try {
    adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  } catch (e) {
    detail = (e as Error).message;
  }
  if (!adapter) throw new Error(noAdapterMessage(runtime, detail || 'requestAdapter() returned null'));
  const report = describeAdapter(adapter, runtime);
  preferNeuronWorkgroupSize(options.workgroupSize);

  // Imported only now: tfjs's webgpu backend registers itself only if navigator.gpu exists.
  const mod = await import('@tensorflow/tfjs-backend-webgpu');
  registerWebGPUBackend(mod, adapter);
  patchWebGPUTile();
  patchWebGPUAddN();
  registerFirstMaxPoolGrad();
  // Replaces tfjs-backend-webgpu's filter gradient; adds the batch norm kernels.
  registerKernels([conv2DBackpropFilterConfig()], { replace: true });
  registerKernels(batchNormKernelConfigs());

  if (options.fuse === false) unregisterFusedNeuronKernels();
  else registerFusedNeuronKernels();

  if (options.setBackend !== false) {
    const ok = await tf.setBackend('webgpu').catch((e: Error) => {
      throw new Error(`@spikeflow/backend-webgpu: tfjs could not start its webgpu backend on ${report.description || report.vendor}: ${e.message}`, { cause: e });
    });
    if (!ok) throw new Error(`@spikeflow/backend-webgpu: tfjs could not start its webgpu backend (adapter ${report.description || report.vendor})`);
    await tf.ready();
  }
  // The device is requested with the adapter's limits (backend-factory.ts): the adapter's are the device's.
  const limits = effectiveLimits(adapter.limits);
  return { ...report, neuronWorkgroupSize: neuronWorkgroupSize(limits), limits };
}
