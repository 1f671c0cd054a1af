import { describe, expect, it } from 'vitest';
import { defineNeuron, runNeuron, seededRandom, use } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { field } from '@spikeflow/spec';
import { checkNeuronShaders, generateNeuronShaders, NeuronShaderError } from '../src/index.js';
import { noGpu, onCpu, tf } from './gpu.js';
import { compileLayer } from './compile.js';
import { expectClose, runCase } from './run-case.js';

/** A user's quadratic integrate-and-fire neuron: H = V + (X + a0 (V - vRest)(V - vCritical)) / tau. */
const qif = defineNeuron<{ tau: number; a0: number; vCritical: number }>({
  kind: 'qif-webgpu-test',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant' }),
    a0: field.number({ exclusiveMin: 0, default: 1, description: 'sharpness of the quadratic' }),
    vCritical: field.number({ default: 0.8, description: 'critical potential' }),
  },
  charge: ({ v, x, options }) => v.add(x.add(v.sub(options.vRest).mul(v.sub(options.vCritical)).mul(options.a0)).div(options.tau)),
});

/** Two trainable scalars: the leak and the input gain (exercises the multi-parameter reduction). */
const twoParam = defineNeuron({
  kind: 'two-param-webgpu-test',
  options: {},
  params: () => ({ leak: 0.4, gain: -0.3 }),
  charge: ({ v, x, params }) => v.mul(params.leak.sigmoid()).add(x.mul(params.gain.exp())),
});

/** WGSL has no infinity literal: the largest f32 stands in, so this charge is fused too. */
const clamped = defineNeuron({
  kind: 'clamped-webgpu-test',
  options: {},
  charge: ({ v, x }) => v.add(x).min(Infinity),
});

/** Five parameters: packed in one buffer, so they fit WebGPU's binding limit. */
const manyParams = defineNeuron({
  kind: 'many-params-webgpu-test',
  options: {},
  params: () => Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}`, 0.1 * i])),
  charge: ({ v, x, params }) => Object.values(params).reduce((h, p) => h.add(p.mul(x)), v.add(x)),
});

/** 1e39 is beyond f32: the printed literal does not compile as WGSL. */
const hugeConstant = defineNeuron({
  kind: 'huge-constant-webgpu-test',
  options: {},
  charge: ({ v, x }) => v.add(x.mul(1e39)),
});

use(qif, twoParam, clamped, manyParams, hugeConstant);

async function compare(layer: Record<string, unknown>, T: number, M: number, expected: 'fused' | 'reference', seed: number) {
  const n = compileLayer(layer, M);
  expect(neuronImplementation(n)).toBe(expected);
  const rand = seededRandom(seed);
  const x = Array.from({ length: T * M }, () => -0.5 + 2 * rand());
  const gS = Array.from({ length: T * M }, () => 2 * rand() - 1);
  const gV = Array.from({ length: T * M }, () => 2 * rand() - 1);
  const gpu = await runCase(n, x, gS, gV, T, M, false);
  const ref = await onCpu(() => runCase(n, x, gS, gV, T, M, true));
  expect(Array.from(gpu.spikes)).toEqual(Array.from(ref.spikes));
  expect(ref.spikes.some((s) => s === 1)).toBe(true);
  expectClose(gpu.v, ref.v, 1e-5, 'v');
  expectClose(gpu.gX, ref.gX, 1e-4, 'dL/dx');
  return { n, gpu, ref };
}

describe('kernel generation (no GPU needed)', () => {
  it('prints the plugin\'s charge into the kernels and hoists parameter-only terms out of the time loop', () => {
    const s = generateNeuronShaders(compileLayer({ neuron: 'plif', surrogate: { kind: 'atan' } }));
    expect(s.numParams).toBe(1);
    expect(s.forward.spikes).toContain('let p0 = P[0];');
    expect(s.forward.spikes).toMatch(/let c\d+ = \(1\.0 \/ \(1\.0 \+ exp\(-p0\)\)\);/);
    expect(s.forward.withV).toContain('result[(1 * T + t) * M + index] = n0;');
    expect(s.forward.spikes).not.toContain('result[(1 * T + t) * M + index]');
    expect(s.backward.spikes).toContain('workgroupBarrier()');
    expect(generateNeuronShaders(compileLayer({ neuron: 'if' })).backward.spikes).not.toContain('workgroupBarrier()');
  });
  it('prints infinity as the largest f32 and packs any number of parameters in one buffer', () => {
    expect(generateNeuronShaders(compileLayer({ neuron: 'clamped-webgpu-test' })).forward.spikes).toContain('3.4028234663852886e+38');
    const many = generateNeuronShaders(compileLayer({ neuron: 'many-params-webgpu-test' }));
    expect(many.numParams).toBe(5);
    expect(many.forward.spikes).toContain('let p4 = P[4];');
  });
});

describe.skipIf(noGpu)('plugins beyond the built-ins on webgpu', () => {
  it('a user\'s QIF neuron is fused and matches the reference', async () => {
    await compare({ neuron: 'qif-webgpu-test', tau: 3, a0: 0.7, detachReset: true, surrogate: { kind: 'sigmoid' } }, 12, 97, 'fused', 1);
  });
  it('two parameters: both gradients reduced on the GPU match the reference', async () => {
    const { gpu, ref } = await compare({ neuron: 'two-param-webgpu-test', surrogate: { kind: 'erf' } }, 10, 150, 'fused', 2);
    expect(gpu.gParams.length).toBe(2);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(ref.gParams[i])).toBeGreaterThan(1e-3);
      expect(Math.abs(gpu.gParams[i] - ref.gParams[i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(ref.gParams[i])));
    }
  });
  it('a charge clamped at infinity is fused and matches the reference', async () => {
    await compare({ neuron: 'clamped-webgpu-test' }, 6, 33, 'fused', 3);
  });
  it('five parameters are fused, their gradients reduced on the GPU', async () => {
    const { gpu, ref } = await compare({ neuron: 'many-params-webgpu-test' }, 4, 20, 'fused', 4);
    expect(gpu.gParams.length).toBe(5);
    expectClose(Float32Array.from(gpu.gParams), Float32Array.from(ref.gParams), 1e-4, 'dL/dparams');
  });
});

describe.skipIf(noGpu)('a fused kernel that does not compile', () => {
  it('is reported with the neuron, the kernel and the WGSL line, and the op refuses to run', async () => {
    const n = compileLayer({ neuron: 'huge-constant-webgpu-test' }, 8);
    const check = checkNeuronShaders(n);
    await expect(check).rejects.toThrow(NeuronShaderError);
    await expect(check).rejects.toThrow(/neuron "huge-constant-webgpu-test": its fused forward kernel's WGSL does not compile, line \d+: let h = .*1\.00000000e\+39/);
    const x = tf.ones([2, 8]) as tf.Tensor2D;
    // The check runs when the op is made; WebGPU reports compile errors asynchronously.
    tf.dispose(runNeuron(n, x, [], false));
    await new Promise((r) => setTimeout(r, 500));
    expect(() => runNeuron(n, x, [], false)).toThrow(/neuron "huge-constant-webgpu-test": its fused forward kernel's WGSL does not compile, line \d+/);
    x.dispose();
  });
});
