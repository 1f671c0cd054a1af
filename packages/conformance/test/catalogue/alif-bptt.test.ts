// ALIF's BPTT through its second state variable and its adaptive threshold, checked against a
// hand-written backward pass (float64) that does not use spikeflow's kernel generator.
import { beforeAll, describe, expect, it } from 'vitest';
import { runNeuron, seededRandom } from '@spikeflow/core';
import { compileCaseNeuron } from '@spikeflow/core/backend';
import { tf, useBackend } from './backends.js';

const tau = 2;
const beta = 0.6;
const initTauA = 3;
const T = 12;
const N = 40;

/** Forward and surrogate-gradient BPTT of ALIF (hard reset to 0, no detach, sigmoid(4)), by hand. */
function alifByHand(x: number[][], gS: number[][], gV: number[][], wA: number) {
  const rho = 1 / (1 + Math.exp(-wA));
  const sg = (u: number) => { const s = 1 / (1 + Math.exp(-4 * u)); return 4 * s * (1 - s); };
  const gX = x.map((row) => row.map(() => 0));
  const spikes = x.map((row) => row.map(() => 0));
  let gW = 0;
  for (let n = 0; n < N; n++) {
    const h: number[] = [], th: number[] = [], s: number[] = [], a: number[] = [];
    let v = 0, aPrev = 0;
    for (let t = 0; t < T; t++) {
      h[t] = v + (x[t][n] - v) / tau;
      th[t] = 1 + beta * aPrev;
      s[t] = h[t] >= th[t] ? 1 : 0;
      v = h[t] * (1 - s[t]);
      a[t] = rho * aPrev + (1 - rho) * s[t];
      aPrev = a[t];
      spikes[t][n] = s[t];
    }
    let cv = 0, ca = 0, dRho = 0;
    for (let t = T - 1; t >= 0; t--) {
      const dv = gV[t][n] + cv;
      const da = ca;
      const g = sg(h[t] - th[t]);
      const ds = gS[t][n] + dv * (0 - h[t]) + da * (1 - rho);
      const dh = dv * (1 - s[t]) + ds * g;
      const dth = -ds * g;
      dRho += da * ((t > 0 ? a[t - 1] : 0) - s[t]);
      cv = dh * (1 - 1 / tau);
      ca = da * rho + dth * beta;
      gX[t][n] = dh / tau;
    }
    gW += dRho * rho * (1 - rho);
  }
  return { spikes, gX, gW };
}

describe('ALIF: BPTT through the adaptation state and the adaptive threshold', () => {
  beforeAll(() => useBackend('cpu'));
  const rand = seededRandom(11);
  const rows = (f: () => number) => Array.from({ length: T }, () => Array.from({ length: N }, () => Math.fround(f())));
  const x = rows(() => 0.4 + 1.6 * rand());
  const gS = rows(() => 2 * rand() - 1);
  const gV = rows(() => 2 * rand() - 1);
  const config = { neuron: 'alif', tau, beta, initTauA, surrogate: { name: 'sigmoid', alpha: 4 } };
  for (const impl of ['reference', undefined] as const) {
    it(`${impl ?? 'fused host kernel'}: spikes, dL/dx and dL/dwA match the hand-written backward pass`, async () => {
      const n = compileCaseNeuron({ config, T, N });
      expect(n.paramNames).toEqual(['wA']);
      expect(n.stateNames).toEqual(['v', 'a']);
      const byHand = alifByHand(x, gS, gV, n.paramInit[0]);
      const xs = tf.tensor2d(x.flat(), [T, N]);
      const gs = tf.tensor2d(gS.flat(), [T, N]);
      const gv = tf.tensor2d(gV.flat(), [T, N]);
      const wA = tf.scalar(n.paramInit[0]);
      const loss = (xi: tf.Tensor, w: tf.Tensor) => {
        const [s, v] = tf.unstack(runNeuron(n, xi as tf.Tensor2D, [w], true, impl));
        return tf.add(tf.sum(tf.mul(s, gs)), tf.sum(tf.mul(v, gv))) as tf.Scalar;
      };
      const [s] = tf.unstack(runNeuron(n, xs, [wA], true, impl));
      const [gX, gW] = tf.grads(loss)([xs, wA]);
      const spikes = await s.data();
      const gx = await gX.data();
      const gw = (await gW.data())[0];
      tf.dispose([xs, gs, gv, wA, s, gX, gW]);
      expect(Array.from(spikes)).toEqual(byHand.spikes.flat());
      expect(byHand.spikes.flat().filter((v) => v === 1).length).toBeGreaterThan(T * N * 0.1);
      const expected = byHand.gX.flat();
      for (let i = 0; i < expected.length; i++) expect(Math.abs(gx[i] - expected[i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected[i]));
      expect(Math.abs(byHand.gW)).toBeGreaterThan(1e-2);
      expect(Math.abs(gw - byHand.gW)).toBeLessThanOrEqual(1e-4 * Math.abs(byHand.gW) + 1e-5);
    });
  }
});
