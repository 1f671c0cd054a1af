// The WebGPU backend as a spikeflow provider: tfjs-backend-webgpu with fused neuron kernels, on a
// browser's navigator.gpu or on Dawn in Node.
import { setSpikesSavedAsBool, type BackendCandidate, type BackendProvider, type BackendReport } from '@spikeflow/core';
import { type BackendKernelConfig } from '@spikeflow/core/backend';
import { describeAdapter, formatAdapter, noAdapterMessage } from './adapter.js';
import { maxPoolGradConfig } from './max-pool.js';
import { conv2DBackpropFilterConfig } from './conv-filter-grad.js';
import { batchNormKernelConfigs } from './batch-norm.js';
import { ensureNavigatorGpu, isNode } from './node-gpu.js';
import { webgpuNeuronKernelConfig } from './register.js';
import { probeDawnAdapterInChild } from './node-probe.js';
import { setupAdapter, type SetupOptions } from './setup.js';

/** tfjs kernels spikeflow replaces on webgpu, once tfjs-backend-webgpu is loaded (setup() loads it). */
function tfjsKernels(): BackendKernelConfig[] {
  try {
    return [maxPoolGradConfig(), conv2DBackpropFilterConfig(), ...batchNormKernelConfigs()];
  } catch {
    return [];
  }
}

/** The neuron op and the replaced tfjs kernels. */
function kernels(): BackendKernelConfig[] {
  return [webgpuNeuronKernelConfig, ...tfjsKernels()];
}

async function probe(): Promise<BackendCandidate[]> {
  let reason: string | undefined;
  let adapterText = '';
  let software: boolean | undefined;
  try {
    // In Node, in a child process: ranking alone must not bring Dawn's startup warnings here.
    const runtime = isNode() ? 'node-dawn' : 'browser';
    const adapter = isNode() ? await probeDawnAdapterInChild() : await (await ensureNavigatorGpu()).gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) reason = noAdapterMessage(runtime, 'requestAdapter() returned null').split('\n')[0];
    else {
      const report = describeAdapter(adapter, runtime);
      software = report.software;
      adapterText = formatAdapter(report);
    }
  } catch (e) {
    reason = (e as Error).message.split('\n')[0];
  }
  return [
    {
      label: 'webgpu (hardware adapter)',
      preference: 60,
      available: software === false,
      reason: reason ?? `the adapter is ${adapterText}`,
    },
    {
      label: 'webgpu (software adapter)',
      preference: 20,
      available: software === true,
      reason: reason ?? `the adapter is ${adapterText}`,
    },
  ];
}

export const provider: BackendProvider<SetupOptions> = {
  name: 'webgpu',
  capabilities: {
    tfjsBackend: 'webgpu',
    runsWhere: 'browsers with WebGPU (Chrome/Edge 113+, Safari 26+), and Node through Dawn (npm "webgpu") over Vulkan, Metal or D3D12',
    runtimes: ['node', 'browser'],
    training: true,
    threads: false,
  },
  kernels,
  probe,
  async setup(options: SetupOptions = {}): Promise<BackendReport> {
    const adapter = await setupAdapter(options);
    // WebGPU stores bool in 32 bits: spikes kept for backward as bool would save nothing.
    setSpikesSavedAsBool('webgpu', false);
    return {
      backend: 'webgpu',
      tfjsBackend: 'webgpu',
      device: `${formatAdapter(adapter)}, neuron workgroup ${adapter.neuronWorkgroupSize}`,
      threads: 1,
      execution: adapter.software ? 'software' : 'hardware',
      fusedKernels: (options.fuse === false ? tfjsKernels() : kernels()).map((k) => k.kernelName),
      detail: { adapter, runtime: isNode() ? 'node' : 'browser', neuronWorkgroupSize: adapter.neuronWorkgroupSize, limits: adapter.limits },
    };
  },
};
