import { describe, expect, it } from 'vitest';
import { runNeuron, seededRandom } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { noGpu, onCpu, tf } from './gpu.js';
import { compileLayer } from './compile.js';
import { expectClose, runCase } from './run-case.js';

const SURROGATES = ['atan', 'sigmoid', 'piecewise_quadratic', 'soft_sign', 'erf'];

describe.skipIf(noGpu)('fused webgpu kernels agree with the reference op (cpu) on random configs', () => {
  const rand = seededRandom(2024);
  const Ts = [1, 2, 3, 7, 8, 16, 31, 64];
  const Ms = [1, 3, 63, 65, 127, 130, 200];
  const configs = Array.from({ length: 30 }, (_, i) => ({
    neuron: ['if', 'lif', 'plif'][i % 3],
    surrogate: SURROGATES[i % 5],
    reset: (['hard', 'soft', 'hard', 'hyperpolarising'] as const)[Math.floor(i / 3) % 4],
    detachReset: Math.floor(i / 2) % 2 === 0,
    decayInput: Math.floor(i / 6) % 2 === 0,
    T: Ts[i % Ts.length],
    M: Ms[(i * 3) % Ms.length],
    alpha: 0.5 + 3 * rand(),
    tau: 1.2 + 4 * rand(),
    vThreshold: 0.5 + rand(),
  }));

  for (const c of configs) {
    const name = `${c.neuron} ${c.surrogate}(${c.alpha.toFixed(2)}) ${c.reset} detach=${c.detachReset} decayInput=${c.decayInput} vTh=${c.vThreshold.toFixed(2)} T=${c.T} M=${c.M}`;
    it(name, async () => {
      const n = compileLayer({
        neuron: c.neuron, detachReset: c.detachReset, vThreshold: c.vThreshold, surrogate: { kind: c.surrogate, alpha: c.alpha },
        vReset: c.reset === 'soft' ? null : c.reset === 'hyperpolarising' ? -0.3 : 0, ...(c.reset === 'hyperpolarising' ? { vRest: 0.1 } : {}),
        ...(c.neuron === 'lif' ? { tau: c.tau, decayInput: c.decayInput } : {}),
        ...(c.neuron === 'plif' ? { initTau: c.tau, decayInput: c.decayInput } : {}),
      }, c.M);
      expect(neuronImplementation(n)).toBe('fused');
      const size = c.T * c.M;
      // Leaky neurons scale the input by 1/tau: widen it so that they fire within a step or two.
      const xMax = c.neuron === 'if' ? 1.5 : 1.5 * c.tau;
      const x = Array.from({ length: size }, () => -0.5 + (0.5 + xMax) * rand());
      const gS = Array.from({ length: size }, () => 2 * rand() - 1);
      const gV = Array.from({ length: size }, () => 2 * rand() - 1);
      const fused = await runCase(n, x, gS, gV, c.T, c.M, false);
      const ref = await onCpu(() => runCase(n, x, gS, gV, c.T, c.M, true));
      expect(Array.from(fused.spikes)).toEqual(Array.from(ref.spikes));
      // The inputs make the neurons fire: the comparison covers both branches of the reset.
      if (size >= 64) expect(ref.spikes.some((s) => s === 1) && ref.spikes.some((s) => s === 0)).toBe(true);
      expectClose(fused.v, ref.v, 1e-5, 'v');
      expectClose(fused.gX, ref.gX, 1e-4, 'dL/dx');
      if (c.neuron === 'plif') {
        expect(fused.gW).toBeDefined();
        expect(Math.abs(fused.gW! - ref.gW!)).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(ref.gW!)));
      } else expect(fused.gW).toBeUndefined();
    });
  }

  it('spikes only (withV = false): same spikes and dL/dx as with V', async () => {
    const T = 9, M = 77;
    const n = compileLayer({ neuron: 'plif', surrogate: { kind: 'atan' } }, M);
    const x = tf.randomUniform([T, M], -0.5, 1.5, 'float32', 3);
    const gS = tf.randomNormal([T, M], 0, 1, 'float32', 4);
    const w = tf.scalar(n.paramInit[0]);
    const f = (withV: boolean) => tf.grads((xi: tf.Tensor, wi: tf.Tensor) => {
      const out = runNeuron(n, xi as tf.Tensor2D, [wi], withV);
      const s = withV ? tf.gather(out, 0) : out;
      return tf.sum(tf.mul(s, gS)) as tf.Scalar;
    })([x, w]);
    const [a, b] = [f(false), f(true)];
    expect(Array.from(await a[0].data())).toEqual(Array.from(await b[0].data()));
    expect((await a[1].data())[0]).toBeCloseTo((await b[1].data())[0], 4);
    expect(Math.abs((await a[1].data())[0])).toBeGreaterThan(0);
    tf.dispose([x, gS, w, ...a, ...b]);
  });
});
