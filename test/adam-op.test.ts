// Adam's fused update (cpu and wasm host kernels) against tfjs's own Adam: one update on odd
// shapes, and several optimiser steps over several variables, weights and saved state included.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@spikeflow/backend-cpu';
import '@spikeflow/backend-wasm';
import { makeOptimizer } from '@spikeflow/core';
import { ADAM_UPDATE_KERNEL, FusedAdamOptimizer, adamUpdate } from '@spikeflow/core/backend';

function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

/** max |a - b| over max(1e-3, max |a|). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(b.length).toBe(a.length);
  let diff = 0;
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

const attrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Adam's fused update on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      expect(tf.getKernel(ADAM_UPDATE_KERNEL, backend)).toBeDefined();
    });

    it.each([[7], [3, 5, 2], [1]])('one update of a %s variable equals the reference', (...shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const [fused, reference] = [undefined, 'reference' as const].map((impl) => tf.tidy(() => {
        const g = values(n, 2);
        g[0] = 0; // a zero gradient: the update divides by sqrt(v) + epsilon
        const args = [values(n, 1), g, values(n, 3).map((x) => x * 0.1), values(n, 4).map((x) => x * x)].map((a) => tf.tensor(a, shape));
        const c1 = tf.scalar(1 - 0.9 ** 3);
        const c2 = tf.scalar(1 - 0.999 ** 3);
        return adamUpdate(args[0], args[1], args[2], args[3], c1, c2, attrs, impl).map((t) => t.dataSync() as Float32Array);
      }));
      fused.forEach((f, i) => expect(relError(reference[i], f), ['value', 'm', 'v'][i]).toBeLessThan(1e-6));
      expect(reference[0][n - 1]).not.toBe(values(n, 1)[n - 1]); // the update moved the value
    });

    it("trains like tfjs's Adam over steps: variables, and the state getWeights saves", async () => {
      const run = async (optimizer: tf.Optimizer) => {
        const vars = [tf.variable(tf.tensor(values(12, 5), [3, 4])), tf.variable(tf.tensor(values(5, 6))), tf.variable(tf.scalar(0.3))];
        const target = tf.tensor(values(12, 7), [3, 4]);
        for (let step = 0; step < 5; step++) {
          optimizer.minimize(() => tf.add(tf.sum(tf.square(tf.sub(vars[0], target))), tf.add(tf.sum(tf.pow(vars[1], 4)), tf.square(vars[2]))) as tf.Scalar);
        }
        const weights = (await optimizer.getWeights()).map((w) => ({ name: w.name, values: w.tensor.dataSync() as Float32Array }));
        const out = { vars: vars.map((v) => v.dataSync() as Float32Array), weights };
        tf.dispose([...vars, target]);
        optimizer.dispose();
        return out;
      };
      const calls = { count: 0 };
      const config = tf.getKernel(ADAM_UPDATE_KERNEL, backend)!;
      const original = config.kernelFunc;
      config.kernelFunc = (args) => {
        calls.count++;
        return original(args);
      };
      let fused: Awaited<ReturnType<typeof run>>;
      try {
        fused = await run(makeOptimizer({ kind: 'adam', learningRate: 0.05 }));
      } finally {
        config.kernelFunc = original;
      }
      expect(calls.count).toBe(15); // 3 variables x 5 steps
      const reference = await run(tf.train.adam(0.05, 0.9, 0.999, 1e-8));
      reference.vars.forEach((r, i) => expect(relError(r, fused.vars[i]), `variable ${i}`).toBeLessThan(1e-5));
      // tfjs's Adam state, then the two accumulated beta powers spikeflow also saves (so a resume is bit-exact).
      const names = (ws: typeof fused.weights) => ws.map((w) => w.name.replace(/\d+/g, '#'));
      expect(names(fused.weights)).toEqual([...names(reference.weights), 'adam.accBeta#', 'adam.accBeta#']);
      reference.weights.forEach((r, i) => expect(relError(r.values, fused.weights[i].values), r.name).toBeLessThan(1e-5));
    });

    it('makeOptimizer builds the fused Adam', () => {
      const o = makeOptimizer({ kind: 'adam', learningRate: 1e-3 });
      expect(o).toBeInstanceOf(FusedAdamOptimizer);
      expect(o).toBeInstanceOf(tf.AdamOptimizer);
      o.dispose();
    });
  });
}
