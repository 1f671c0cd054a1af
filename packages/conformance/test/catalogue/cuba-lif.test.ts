// CubaLIF against a float64 forward and BPTT written by hand from its two equations (not from
// spikeflow's step IR), for both update orders, on cpu (reference op and fused host kernel), wasm
// and webgpu (the fused kernels).
import { beforeAll, describe, expect, it } from 'vitest';
import { runNeuron, seededRandom } from '@spikeflow/core';
import { compileCaseNeuron } from '@spikeflow/core/backend';
import { tf, useBackend, type BackendName } from './backends.js';

const T = 14;
const N = 40;
const o = { tau: 3, tauSyn: 2.5, r: 1.5, wIn: 0.8, vThreshold: 1, vReset: -0.1, vRest: 0.05 };

/** Forward and BPTT (hard reset, no detach, sigmoid(alpha 4) surrogate) of L = sum(gS S) + sum(gV V) + sum(gI I). */
function byHand(order: 'current-first' | 'euler', x: number[][], gS: number[][], gV: number[][], gI: number[][]) {
  const a = 1 - 1 / o.tauSyn, b = o.wIn / o.tauSyn, c = 1 - 1 / o.tau;
  const sg = (u: number) => { const s = 1 / (1 + Math.exp(-4 * u)); return 4 * s * (1 - s); };
  const grid = () => x.map((row) => row.map(() => 0));
  const spikes = grid(), vOut = grid(), iOut = grid(), gX = grid();
  let minMargin = Infinity;
  for (let n = 0; n < N; n++) {
    const h: number[] = [], s: number[] = [];
    let v = o.vRest, i = 0;
    for (let t = 0; t < T; t++) {
      const iPrev = i;
      i = a * i + b * x[t][n];
      const drive = order === 'current-first' ? i : iPrev;
      h[t] = c * v + (o.r * drive + o.vRest) / o.tau;
      minMargin = Math.min(minMargin, Math.abs(h[t] - o.vThreshold));
      s[t] = h[t] >= o.vThreshold ? 1 : 0;
      v = s[t] ? o.vReset : h[t];
      spikes[t][n] = s[t];
      vOut[t][n] = v;
      iOut[t][n] = i;
    }
    let cV = 0, cI = 0;
    for (let t = T - 1; t >= 0; t--) {
      const eV = gV[t][n] + cV;
      const eI = gI[t][n] + cI;
      const dS = gS[t][n] + eV * (o.vReset - h[t]);
      const dH = eV * (1 - s[t]) + dS * sg(h[t] - o.vThreshold);
      cV = dH * c;
      if (order === 'current-first') {
        const dI = eI + (dH * o.r) / o.tau;
        gX[t][n] = dI * b;
        cI = dI * a;
      } else {
        gX[t][n] = eI * b;
        cI = eI * a + (dH * o.r) / o.tau;
      }
    }
  }
  return { spikes, vOut, iOut, gX, minMargin };
}

const rand = seededRandom(5);
const rows = (f: () => number) => Array.from({ length: T }, () => Array.from({ length: N }, () => Math.fround(f())));
const x = rows(() => 3.2 * rand() - 0.4);
const gS = rows(() => 2 * rand() - 1);
const gV = rows(() => 2 * rand() - 1);
const gI = rows(() => 2 * rand() - 1);

const expectClose = (got: Float32Array, want: number[], what: string) => {
  for (let k = 0; k < want.length; k++) {
    if (!(Math.abs(got[k] - want[k]) <= 1e-5 + 1e-5 * Math.abs(want[k]))) throw new Error(`${what}[${k}]: ${got[k]} vs float64 ${want[k]}`);
  }
};

const runs: Array<[BackendName, 'reference' | undefined]> = [['cpu', 'reference'], ['cpu', undefined], ['wasm', undefined], ['webgpu', undefined]];
describe.each(runs)('CubaLIF on %s (%s): spikes exact, V, I and dL/dx within 1e-5 of float64', (backend, impl) => {
  let ok = true;
  beforeAll(async () => {
    ok = await useBackend(backend);
  });
  for (const order of ['current-first', 'euler'] as const) {
    it(`order '${order}'`, async () => {
      if (!ok) return; // said loudly by useBackend
      const n = compileCaseNeuron({ config: { neuron: 'cubalif', ...o, order, detachReset: false, surrogate: { name: 'sigmoid', alpha: 4 } }, T, N });
      expect(n.stateNames).toEqual(['v', 'i']);
      const want = byHand(order, x, gS, gV, gI);
      expect(want.minMargin).toBeGreaterThan(1e-4); // float32 and float64 agree on every spike
      const xs = tf.tensor2d(x.flat(), [T, N]);
      const weights = tf.tensor3d([gS.flat(), gV.flat(), gI.flat()].flat(), [3, T, N]);
      const loss = (xi: tf.Tensor) => tf.sum(tf.mul(runNeuron(n, xi as tf.Tensor2D, [], true, impl), weights)) as tf.Scalar;
      const out = runNeuron(n, xs, [], true, impl);
      const gX = tf.grad(loss)(xs);
      const [s, v, i] = await Promise.all(tf.unstack(out).map((t) => t.data() as Promise<Float32Array>));
      const gx = (await gX.data()) as Float32Array;
      tf.dispose([xs, weights, out, gX]);
      expect(Array.from(s)).toEqual(want.spikes.flat());
      const rate = want.spikes.flat().filter((k) => k === 1).length / (T * N);
      expect(rate).toBeGreaterThan(0.1);
      expect(rate).toBeLessThan(0.9);
      expectClose(v, want.vOut.flat(), 'V');
      expectClose(i, want.iOut.flat(), 'I');
      expectClose(gx, want.gX.flat(), 'dL/dx');
    });
  }
  it("the two orders give different spikes on this input (the option matters)", () => {
    const a = byHand('current-first', x, gS, gV, gI).spikes.flat();
    const b = byHand('euler', x, gS, gV, gI).spikes.flat();
    expect(a.filter((s, k) => s !== b[k]).length).toBeGreaterThan(10);
  });
});
