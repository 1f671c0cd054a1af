import { describe, expect, it } from 'vitest';
import { neuronImplementation } from '@spikeflow/core/backend';
import { describeAdapter, noAdapterMessage, registerFusedNeuronKernels, setup } from '../src/index.js';
import { adapter, noGpu, tf } from './gpu.js';
import { compileLayer } from './compile.js';

describe('adapter report and messages (no GPU needed)', () => {
  it('tells software adapters from hardware ones', () => {
    expect(describeAdapter({ info: { vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' } }, 'node-dawn').software).toBe(true);
    expect(describeAdapter({ info: { vendor: 'google', description: 'SwiftShader Device (Subzero)' } }, 'browser').software).toBe(true);
    expect(describeAdapter({ info: { vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4090' } }, 'node-dawn').software).toBe(false);
    expect(describeAdapter({ info: { vendor: 'apple', architecture: 'metal-3' }, isFallbackAdapter: true }, 'browser').software).toBe(true);
  });
  it('says what to install when there is no adapter', () => {
    const m = noAdapterMessage('node-dawn', 'requestAdapter() returned null');
    expect(m).toMatch(/no WebGPU adapter \(requestAdapter\(\) returned null\)/);
    expect(m).toMatch(/mesa-vulkan-drivers/);
    expect(m).toMatch(/bookworm-backports/);
    expect(m).toMatch(/macOS/);
    expect(m).toMatch(/Windows/);
  });
});

describe.skipIf(noGpu)('setup()', () => {
  it('reports the adapter it got', () => {
    expect(adapter!.runtime).toBe('node-dawn');
    expect(adapter!.vendor.length + adapter!.description.length).toBeGreaterThan(0);
    expect(typeof adapter!.software).toBe('boolean');
  });
  it('fuse: false leaves the reference op on webgpu; a second setup() fuses again', async () => {
    const n = compileLayer({ neuron: 'lif', tau: 2 });
    await setup({ fuse: false });
    expect(tf.getBackend()).toBe('webgpu');
    expect(neuronImplementation(n)).toBe('reference');
    registerFusedNeuronKernels();
    expect(neuronImplementation(n)).toBe('fused');
  });
});
