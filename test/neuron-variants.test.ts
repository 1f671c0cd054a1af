import { beforeAll, describe, expect, it } from 'vitest';
import { registry, runNeuron, seededRandom, parseSpec } from '@spikeflow/core';
import { compileNeuron } from '@spikeflow/core/backend';
import { cpu, tf } from './setup.js';

/**
 * An independent oracle: the neuron written step by step with tfjs autograd (Heaviside with a
 * surrogate via customGrad, detach via a zero-gradient customGrad), as SpikingJelly's torch path does.
 */
function perStepAutograd(o: {
  T: number; vThreshold: number; vReset: number | null; vRest: number; detachReset: boolean;
  surrogate: (u: tf.Tensor) => tf.Tensor; charge: (v: tf.Tensor, x: tf.Tensor, w: tf.Tensor) => tf.Tensor;
}) {
  const heaviside = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const u = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([u]);
    return { value: tf.cast(tf.greaterEqual(u, 0), 'float32'), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, o.surrogate(s)) };
  });
  const detach = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({ value: tf.clone(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return (x: tf.Tensor, w: tf.Tensor) => {
    // slice, not unstack: tfjs's Unpack gradient fails when T = 1 (a single output).
    const xs = Array.from({ length: o.T }, (_, t) => tf.slice(x, [t, 0], [1, -1]).reshape([x.shape[1]!]));
    let v: tf.Tensor = tf.fill([x.shape[1]!], o.vRest);
    const ss: tf.Tensor[] = [];
    const vs: tf.Tensor[] = [];
    for (let t = 0; t < o.T; t++) {
      const h = o.charge(v, xs[t], w);
      const s = heaviside(tf.sub(h, o.vThreshold));
      const sr = o.detachReset ? detach(s) : s;
      v = o.vReset === null ? tf.sub(h, tf.mul(sr, o.vThreshold)) : tf.add(tf.mul(h, tf.sub(1, sr)), tf.mul(sr, o.vReset));
      ss.push(s);
      vs.push(v);
    }
    return [tf.stack(ss), tf.stack(vs)];
  };
}

const SURROGATES = ['atan', 'sigmoid', 'piecewise_quadratic', 'soft_sign', 'erf'];

describe.each(['reference', 'fused'] as const)('the %s multi-step op agrees with per-step autograd on random configs', (impl) => {
  beforeAll(cpu);
  const rand = seededRandom(42);
  const configs = Array.from({ length: 24 }, (_, i) => ({
    neuron: ['if', 'lif', 'plif'][i % 3],
    surrogate: SURROGATES[i % 5],
    soft: i % 4 === 1,
    detachReset: i % 2 === 0,
    decayInput: i % 6 < 3,
    hyper: i % 5 === 3, // hyperpolarising reset: vReset below vRest
    T: [1, 2, 5, 8, 16, 33][i % 6],
    N: [1, 7, 65][i % 3],
    alpha: 0.5 + 3 * rand(),
    initTau: 1.2 + 4 * rand(),
  }));

  for (const c of configs) {
    const name = `${c.neuron} ${c.surrogate}(${c.alpha.toFixed(2)}) ${c.soft ? 'soft' : c.hyper ? 'hyperpolarising' : 'hard'} detach=${c.detachReset} decayInput=${c.decayInput} T=${c.T} N=${c.N}`;
    it(name, async () => {
      const layer: Record<string, unknown> = {
        kind: 'neuron', neuron: c.neuron, detachReset: c.detachReset, surrogate: { kind: c.surrogate, alpha: c.alpha },
        vReset: c.soft ? null : c.hyper ? -0.3 : 0, ...(c.hyper ? { vRest: 0.1 } : {}),
        ...(c.neuron === 'lif' ? { tau: c.initTau, decayInput: c.decayInput } : {}),
        ...(c.neuron === 'plif' ? { initTau: c.initTau, decayInput: c.decayInput } : {}),
      };
      const opts = parseSpec({ input: { shape: [c.N] }, layers: [layer] }).layers[0] as any;
      const surrogateOpts = opts.surrogate;
      const compiled = compileNeuron(registry.neurons.get(c.neuron)!, registry.surrogates.get(c.surrogate)!, opts, surrogateOpts);
      const k = (w: tf.Tensor) => (c.neuron === 'plif' ? tf.sigmoid(w) : tf.scalar(c.neuron === 'lif' ? 1 / c.initTau : 0));
      const charge = (v: tf.Tensor, x: tf.Tensor, w: tf.Tensor) => {
        if (c.neuron === 'if') return tf.add(v, x);
        const leak = tf.sub(v, opts.vRest);
        return c.decayInput ? tf.add(v, tf.mul(tf.sub(x, leak), k(w))) : tf.add(tf.sub(v, tf.mul(leak, k(w))), x);
      };
      // Surrogates written directly from their formulas (not through spikeflow's expressions).
      const a = c.alpha;
      const surrogate = (u: tf.Tensor): tf.Tensor => {
        switch (c.surrogate) {
          case 'atan': return tf.div(a / 2, tf.add(1, tf.square(tf.mul(u, (Math.PI / 2) * a))));
          case 'sigmoid': { const s = tf.sigmoid(tf.mul(u, a)); return tf.mul(tf.mul(s, tf.sub(1, s)), a); }
          case 'piecewise_quadratic': return tf.where(tf.lessEqual(tf.abs(u), 1 / a), tf.sub(a, tf.mul(tf.abs(u), a * a)), tf.zerosLike(u));
          case 'soft_sign': return tf.div(1, tf.mul(tf.square(tf.add(tf.abs(u), 1 / a)), 2 * a));
          default: return tf.mul(tf.exp(tf.mul(tf.square(u), -a * a)), a / Math.sqrt(Math.PI));
        }
      };
      const oracle = perStepAutograd({ T: c.T, vThreshold: 1, vReset: opts.vReset, vRest: opts.vRest, detachReset: c.detachReset, surrogate, charge });

      const x = tf.randomUniform([c.T, c.N], -0.5, 1.5, 'float32', 7);
      const gS = tf.randomNormal([c.T, c.N], 0, 1, 'float32', 8);
      const gV = tf.randomNormal([c.T, c.N], 0, 1, 'float32', 9);
      const w = tf.scalar(compiled.paramInit[0] ?? 0);
      const loss = (s: tf.Tensor, v: tf.Tensor) => tf.add(tf.sum(tf.mul(s, gS)), tf.sum(tf.mul(v, gV))) as tf.Scalar;
      const params = c.neuron === 'plif' ? [w] : [];
      const ours = tf.grads((xi: tf.Tensor, ...ps: tf.Tensor[]) => {
        const [s, v] = tf.unstack(runNeuron(compiled, xi as tf.Tensor2D, ps, true, impl === 'reference' ? 'reference' : undefined));
        return loss(s, v);
      })([x, ...params]);
      const theirs = tf.grads((xi: tf.Tensor, ...ps: tf.Tensor[]) => {
        const [s, v] = oracle(xi, ps[0] ?? w);
        return loss(s, v);
      })([x, ...params]);
      const [s1, v1] = tf.unstack(runNeuron(compiled, x as tf.Tensor2D, params, true, impl === 'reference' ? 'reference' : undefined));
      const [s2, v2] = oracle(x, w);
      expect(Array.from(await s1.data())).toEqual(Array.from(await s2.data()));
      const close = async (p: tf.Tensor, q: tf.Tensor, tol: number) => {
        const [pa, qa] = [await p.data(), await q.data()];
        for (let i = 0; i < qa.length; i++) expect(Math.abs(pa[i] - qa[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(qa[i])));
      };
      await close(v1, v2, 1e-5);
      await close(ours[0], theirs[0], 1e-4);
      if (c.neuron === 'plif') await close(ours[1], theirs[1], 1e-3);
    });
  }
});
