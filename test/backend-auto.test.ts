// `auto` over the real providers installed here: it starts the best candidate that runs and says
// why each better one was passed over. tfjs-node comes from a real --ignore-scripts install (no
// native binding), the state a machine without internet access is in.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { formatSelection, rankCandidates, selectBackend } from '@spikeflow/core/node';
import { provider as cpu } from '@spikeflow/backend-cpu';
import { provider as wasm } from '@spikeflow/backend-wasm';
import { provider as webgpu } from '@spikeflow/backend-webgpu';
import { makeProvider } from '@spikeflow/backend-node-gpu';
import { tfjsNodeWithoutBinding } from '@spikeflow/test-support/tfjs-node-install';
import './setup.js';

describe("backend 'auto'", () => {
  it('ranks hardware WebGPU, tfjs-node-gpu, tfjs-node, wasm threads, software WebGPU, cpu; starts the first that runs; prints why the others were passed over', { timeout: 300_000 }, async () => {
    const install = await tfjsNodeWithoutBinding();
    if ('skip' in install) console.log(`tfjs-node without its binding not available (${install.skip}); node-gpu is probed as not installed`);
    const nodeGpu = makeProvider('dir' in install ? install.dir : undefined);
    const providers = [cpu, wasm, webgpu, nodeGpu];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // a second tfjs copy's duplicate-kernel lines
    const ranked = await rankCandidates(providers).finally(() => warn.mockRestore());
    const order = ranked.map((c) => c.label);
    const at = (pattern: RegExp) => order.findIndex((l) => pattern.test(l));
    const expected = [/webgpu \(hardware/, /tfjs-node-gpu \(CUDA/, /tfjs-node \(TensorFlow on the CPU/, /wasm \(\d+ threads/, /wasm \(1 thread/, /webgpu \(software/, /^cpu/];
    expect(expected.map(at)).toEqual(expected.map((_, i) => i));

    const selected = await selectBackend('auto', { providers });
    console.log(formatSelection(selected));
    const chosenAt = order.indexOf(selected.chosen);
    expect(ranked[chosenAt].available).toBe(true);
    expect(tf.getBackend()).toBe(selected.report.tfjsBackend);
    // Every candidate ranked above the chosen one is listed, in order, each with a reason.
    expect(selected.passedOver.map((p) => p.label)).toEqual(order.slice(0, chosenAt));
    for (const p of selected.passedOver) expect(p.reason.length, p.label).toBeGreaterThan(10);
    const reasonOf = (pattern: RegExp) => selected.passedOver.find((p) => pattern.test(p.label))?.reason ?? '';
    expect(reasonOf(/tfjs-node-gpu/)).toMatch(/tfjs-node-gpu is not installed/);
    if ('dir' in install) expect(reasonOf(/tfjs-node \(/)).toMatch(/native binding \(tfjs_binding\.node/);
    if (!ranked[0].available) expect(reasonOf(/webgpu \(hardware/)).toMatch(/adapter|WebGPU|webgpu/);
  });

  it('a named backend is loaded by its package name; an unknown one says what is known', async () => {
    const selected = await selectBackend('cpu');
    expect(selected.report).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', execution: 'hardware' });
    expect(selected.report.fusedKernels).toContain('SpikeflowNeuron');
    await expect(selectBackend('nope', { providers: [cpu, wasm] })).rejects.toThrow('--backend: unknown backend "nope"; known: auto, cpu, wasm');
    await expect(selectBackend('nope')).rejects.toThrow(/needs the package @spikeflow\/backend-nope .* installed backends: cpu, node-gpu, wasm, webgpu/);
  });
});
