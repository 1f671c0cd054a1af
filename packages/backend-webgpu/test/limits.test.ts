import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { largestBinding, neuronWorkgroupSize, overrideWebGPULimits, planNeuronChunks, preferNeuronWorkgroupSize, setup } from '../src/index.js';
import { noGpu } from './gpu.js';
import { compileLayer } from './compile.js';
import { runCase, type Result } from './run-case.js';

const roomy = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 32, maxComputeWorkgroupsPerDimension: 65535 };

describe('neuron runs planned from the adapter limits (no GPU needed)', () => {
  const shape = { T: 8, M: 1000, S: 1, P: 1, withV: false, workgroupSize: 64 };
  it('one run when every buffer and the dispatch fit', () => {
    expect(planNeuronChunks(shape, roomy)).toEqual([{ start: 0, size: 1000 }]);
  });
  it('splits the neurons into whole workgroups that fit the binding limit, covering every neuron once', () => {
    const chunks = planNeuronChunks({ ...shape, withV: true }, { ...roomy, maxStorageBufferBindingSize: 4 * 8 * 300 });
    // withV: [2, T, n] must fit 4 * 8 * 300 bytes -> 150 neurons -> 128 (two workgroups).
    expect(chunks.map((c) => c.size)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    expect(chunks.map((c) => c.start)).toEqual([0, 128, 256, 384, 512, 640, 768, 896]);
    for (const c of chunks) expect(largestBinding({ ...shape, withV: true }, c.size)).toBeLessThanOrEqual(4 * 8 * 300);
  });
  it('keeps each dispatch within maxComputeWorkgroupsPerDimension and maxBufferSize', () => {
    expect(planNeuronChunks(shape, { ...roomy, maxComputeWorkgroupsPerDimension: 3 }).map((c) => c.size)).toEqual([192, 192, 192, 192, 192, 40]);
    expect(planNeuronChunks(shape, { ...roomy, maxBufferSize: 4 * 8 * 500 }).length).toBe(3);
  });
  it('the backward buffer counts the per-workgroup parameter sums', () => {
    // S*T*n + ceil(n / 64) * P floats: 512 neurons need 4 * (8 * 512 + 8 * 5) bytes with P = 5.
    const s = { ...shape, M: 1024, P: 5 };
    expect(largestBinding(s, 512)).toBe(4 * (8 * 512 + 8 * 5));
    expect(planNeuronChunks(s, { ...roomy, maxStorageBufferBindingSize: 4 * 8 * 512 }).length).toBe(3);
  });
  it('says so when one neuron\'s T steps alone exceed the limit (T floats and one parameter sum)', () => {
    expect(() => planNeuronChunks({ ...shape, T: 1000 }, { ...roomy, maxStorageBufferBindingSize: 1024 })).toThrow(/one neuron over T=1000 steps needs a 4004-byte buffer, over this adapter's limit of 1024 bytes/);
  });
  it('workgroup size: the preferred power of two, lowered to the adapter\'s invocations, size X and workgroup memory', () => {
    const l = { maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupStorageSize: 32768 };
    try {
      preferNeuronWorkgroupSize(256);
      expect(neuronWorkgroupSize(l)).toBe(256);
      expect(neuronWorkgroupSize({ ...l, maxComputeInvocationsPerWorkgroup: 128 })).toBe(128);
      expect(neuronWorkgroupSize({ ...l, maxComputeWorkgroupSizeX: 96 })).toBe(64);
      // 8 parameters: 8 partial sums of 4 bytes per thread in 4096 bytes -> 128 threads.
      expect(neuronWorkgroupSize({ ...l, maxComputeWorkgroupStorageSize: 4096 }, 8)).toBe(128);
      expect(() => preferNeuronWorkgroupSize(100)).toThrow(/workgroupSize must be a power of two/);
    } finally {
      preferNeuronWorkgroupSize();
    }
  });
  it('rejects unknown or non-positive limits', () => {
    expect(() => overrideWebGPULimits({ maxStorageBuffer: 4 } as never)).toThrow(/unknown limit "maxStorageBuffer"/);
    expect(() => overrideWebGPULimits({ maxBufferSize: 0 })).toThrow(/maxBufferSize must be a positive integer/);
  });
});

describe.skipIf(noGpu)('the fused op under forced small limits gives the unchunked results', () => {
  afterEach(() => {
    overrideWebGPULimits();
    preferNeuronWorkgroupSize();
  });
  const rand = seededRandom(11);
  const cases = [
    { neuron: { neuron: 'plif', surrogate: { kind: 'atan' }, detachReset: true }, T: 7, M: 1000 },
    { neuron: { neuron: 'lif', tau: 2.5, surrogate: { kind: 'sigmoid' } }, T: 13, M: 333 },
  ];
  for (const c of cases) {
    it(`${c.neuron.neuron} T=${c.T} M=${c.M}: spikes, v and dL/dx equal, dL/dw within 1e-5`, async () => {
      const n = compileLayer(c.neuron, c.M);
      expect(neuronImplementation(n)).toBe('fused');
      const size = c.T * c.M;
      const x = Array.from({ length: size }, () => -0.5 + 4 * rand());
      const gS = Array.from({ length: size }, () => 2 * rand() - 1);
      const gV = Array.from({ length: size }, () => 2 * rand() - 1);
      const whole = await runCase(n, x, gS, gV, c.T, c.M, false);
      const planned = { T: c.T, M: c.M, S: 1, P: n.paramInit.length, withV: true, workgroupSize: 32 };
      const limits = { maxStorageBufferBindingSize: 4 * c.T * 100, maxComputeWorkgroupsPerDimension: 2, maxComputeInvocationsPerWorkgroup: 32 };
      expect(planNeuronChunks(planned, { ...roomy, ...limits }).length).toBeGreaterThanOrEqual(5);
      overrideWebGPULimits(limits);
      const chunked = await runCase(n, x, gS, gV, c.T, c.M, false);
      expectSame(chunked, whole);
      // A smaller workgroup than the default gives the same values too.
      overrideWebGPULimits({ maxComputeInvocationsPerWorkgroup: 16 });
      expectSame(await runCase(n, x, gS, gV, c.T, c.M, false), whole);
    });
  }
  it('another preferred workgroup (setup({ workgroupSize: 64 })) is reported and gives the same values', async () => {
    const n = compileLayer({ neuron: 'plif', surrogate: { kind: 'atan' } }, 700);
    const x = Array.from({ length: 5 * 700 }, () => -0.5 + 4 * rand());
    const g = Array.from({ length: 5 * 700 }, () => 2 * rand() - 1);
    const before = await runCase(n, x, g, g, 5, 700, false);
    const report = await setup({ workgroupSize: 64 });
    expect(report.device).toMatch(/neuron workgroup 64$/);
    expect(report.detail?.neuronWorkgroupSize).toBe(64);
    expectSame(await runCase(n, x, g, g, 5, 700, false), before);
    expect((await setup()).detail?.neuronWorkgroupSize).toBe(256);
  });
});

function expectSame(a: Result, b: Result) {
  expect(Array.from(a.spikes)).toEqual(Array.from(b.spikes));
  expect(a.spikes.some((s) => s === 1)).toBe(true);
  expect(Array.from(a.v)).toEqual(Array.from(b.v));
  expect(Array.from(a.gX)).toEqual(Array.from(b.gX));
  expect(a.gParams.length).toBe(b.gParams.length);
  for (let i = 0; i < a.gParams.length; i++) expect(Math.abs(a.gParams[i] - b.gParams[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b.gParams[i])));
}
