// The prebuilt SIMD neuron modules (built with the package for IF, LIF and PLIF, run in browsers
// without binaryen): their IR keys, the manifest loader over HTTP, and that a network's neuron
// runs the prebuilt module (not one binaryen generated) with the JS host kernel's results.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, wasmNeuronKernelInfo, wasmNeuronKernelSources, neuronIrKey, PREBUILT_NEURON_LAYERS, setNeuronKernelsPath, prebuiltNeuronKernelCount } from '../src/index.js';
import { loadBinaryen } from '../src/simd/binaryen.js';
import { buildPrebuiltNeuronKernels, type PrebuiltNeuronKernelFiles } from '../src/simd/prebuilt-build.js';
import { loadPrebuiltNeuronKernels } from '../src/simd/prebuilt.js';
import { compile, expectSameAsHostKernel } from './simd-support.js';

let built: PrebuiltNeuronKernelFiles;
let server: Server;
let base: string;

beforeAll(async () => {
  built = buildPrebuiltNeuronKernels(await loadBinaryen(), PREBUILT_NEURON_LAYERS, compile);
  server = createServer((req, res) => {
    const name = req.url!.replace(/^\/kernels\//, '');
    const body = name === 'manifest.json' ? JSON.stringify(built.manifest) : built.files.get(name);
    if (!req.url!.startsWith('/kernels/') || !body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/wasm' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kernels/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('IR keys', () => {
  it('are the same for the same dynamics and differ between dynamics', () => {
    const plif = { neuron: 'plif', detachReset: true };
    expect(neuronIrKey(compile(plif).ir)).toBe(neuronIrKey(compile({ ...plif }).ir));
    // initTau sets a parameter's initial value, not the step: same IR.
    expect(neuronIrKey(compile({ ...plif, initTau: 3 }).ir)).toBe(neuronIrKey(compile(plif).ir));
    const keys = new Set(PREBUILT_NEURON_LAYERS.map((l) => neuronIrKey(compile(l).ir)));
    expect(keys.size).toBe(PREBUILT_NEURON_LAYERS.length);
    expect(keys.has(neuronIrKey(compile({ ...plif, vThreshold: 0.5 }).ir))).toBe(false);
  });

  it('cover IF, LIF and PLIF with their defaults, and the docs demos\' PLIF', () => {
    const keys = new Set(built.manifest.kernels.map((k) => k.key));
    for (const layer of [{ neuron: 'if' }, { neuron: 'lif' }, { neuron: 'plif' }, { neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } }]) {
      expect(keys.has(neuronIrKey(compile(layer).ir)), JSON.stringify(layer)).toBe(true);
    }
    for (const bytes of built.files.values()) expect(bytes.length).toBeLessThan(8192);
  });
});

describe('loading prebuilt modules over HTTP', () => {
  it('names the URL and the HTTP status of a missing manifest', async () => {
    await expect(loadPrebuiltNeuronKernels(base.replace('/kernels/', '/nowhere/'), false)).rejects.toThrow(/nowhere\/manifest\.json: HTTP 404/);
  });

  it('setup() loads them and a PLIF layer runs the prebuilt module, matching the JS host kernel', async () => {
    setNeuronKernelsPath(base);
    const report = await setup({ threads: 1 });
    expect(wasmNeuronKernelSources()).toMatchObject({ prebuilt: built.manifest.kernels.length, binaryen: true });
    expect(prebuiltNeuronKernelCount()).toBe(built.manifest.kernels.length);
    expect(report.detail?.neuronKernel).toMatch(/WebAssembly SIMD \(12 prebuilt modules/);
    const n = compile({ neuron: 'plif', detachReset: true });
    for (const M of [3, 64, 257]) await expectSameAsHostKernel(n, 4, M, M);
    expect(wasmNeuronKernelInfo(n)).toMatchObject({ implementation: 'wasm-simd', module: 'prebuilt' });
    // A neuron outside the prebuilt set: binaryen generates its module.
    const other = compile({ neuron: 'plif', vThreshold: 0.5 });
    await expectSameAsHostKernel(other, 4, 9, 1);
    expect(wasmNeuronKernelInfo(other)).toMatchObject({ implementation: 'wasm-simd', module: 'generated' });
  });
});
