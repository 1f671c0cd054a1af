// The adapter's error paths, against the real packages: not installed at all, and installed
// without their native binding. No mock stands in for tfjs-node anywhere.
import { describe, expect, it, vi } from 'vitest';
import { classifyLoadError, CPU_PACKAGE, GPU_PACKAGE, makeProvider, NodeBackendError, provider } from '../src/index.js';
import { resolvePackage } from '../src/load.js';
import { tfjsNodeWithoutBinding } from '@spikeflow/test-support/tfjs-node-install';

const installedHere = !(resolvePackage(GPU_PACKAGE) instanceof NodeBackendError) || !(resolvePackage(CPU_PACKAGE) instanceof NodeBackendError);
if (installedHere) console.warn('errors.test.ts: the "neither package installed" case is skipped: tfjs-node or tfjs-node-gpu is installed here; it runs wherever neither is (as in CI)');

async function failure(p: Promise<unknown>): Promise<NodeBackendError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NodeBackendError);
    return e as NodeBackendError;
  }
  throw new Error('expected setup() to fail');
}

describe('@spikeflow/backend-node-gpu errors', () => {
  it.skipIf(installedHere)('neither package installed: says what to install and which backend to use instead', async () => {
    const e = await failure(provider.setup());
    expect(e.failure).toBe('package-missing');
    expect(e.pkg).toBe(CPU_PACKAGE);
    expect(e.message).toMatch(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(e.message).toMatch(/downloads libtensorflow 2\.9\.1/);
    expect(e.message).toMatch(/@spikeflow\/backend-webgpu/);
    const gpu = await failure(provider.setup({ package: GPU_PACKAGE }));
    expect(gpu.failure).toBe('package-missing');
    expect(gpu.message).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    const candidates = await provider.probe();
    expect(candidates.map((c) => [c.preference, c.available])).toEqual([[50, false], [40, false]]);
    expect(candidates[0].reason).toMatch(/tfjs-node-gpu is not installed/);
  });

  it('installed with --ignore-scripts (no native binding): says to rebuild where libtensorflow can be downloaded', { timeout: 300_000 }, async (ctx) => {
    const install = await tfjsNodeWithoutBinding();
    if ('skip' in install) {
      console.log(`SKIPPED: ${install.skip}`);
      ctx.skip();
      return;
    }
    const p = makeProvider(install.dir);
    // The temporary install brings its own copy of @tensorflow/tfjs, whose kernels tfjs reports as
    // registered twice on import (hundreds of lines): keep them out of the log.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = await failure(p.setup()).finally(() => warn.mockRestore());
    expect(e.failure).toBe('binding-missing');
    expect(e.pkg).toBe(CPU_PACKAGE);
    expect(e.message).toMatch(/native binding \(tfjs_binding\.node/);
    expect(e.message).toMatch(/--ignore-scripts/);
    expect(e.message).toMatch(/npm rebuild @tensorflow\/tfjs-node/);
    expect(e.message).toMatch(/@spikeflow\/backend-wasm/);
    const [gpu, cpu] = await p.probe();
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toMatch(/tfjs-node-gpu is not installed/);
    expect(cpu.available).toBe(false);
    expect(cpu.reason).toMatch(/native binding/);
    console.log(`binding missing, as reported:\n${e.message}`);
  });

  it('sorts load errors: CUDA libraries, libtensorflow, the binding, anything else', () => {
    const cuda = classifyLoadError(GPU_PACKAGE, new Error('libcudnn.so.8: cannot open shared object file: No such file or directory'));
    expect(cuda.failure).toBe('cuda-unavailable');
    expect(cuda.message).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    expect(cuda.message).toMatch(/Dawn over Vulkan/);
    expect(classifyLoadError(CPU_PACKAGE, new Error('libtensorflow.so.2: cannot open shared object file')).failure).toBe('binding-missing');
    expect(classifyLoadError(CPU_PACKAGE, new Error('something else')).failure).toBe('load-failed');
  });
});
