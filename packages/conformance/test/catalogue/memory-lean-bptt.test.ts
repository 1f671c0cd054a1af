// Memory-lean BPTT (checkpointEvery): the neuron op keeps its state only before every k-th step
// and recomputes the rest in the backward pass. Its gradients must be bit-identical to keeping
// every step, on every backend's fused kernel (and the reference op), for one-state and two-state
// neurons, for k that divides T and k that does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasmNeuronKernelInfo } from '@spikeflow/backend-wasm';
import { runNeuron, seededRandom } from '@spikeflow/core';
import { compileCaseNeuron, type CompiledNeuron, type NeuronVectorCase } from '@spikeflow/core/backend';
import { NEURON_OP_RUNS, tensorBits, tf, useBackend, useNeuronOpRun } from './backends.js';

const NEURONS: Record<string, NeuronVectorCase['config']> = {
  if: { neuron: 'if', detachReset: false, surrogate: { name: 'atan', alpha: 2 } },
  lif: { neuron: 'lif', tau: 2.5, detachReset: true, surrogate: { name: 'sigmoid', alpha: 4 } },
  plif: { neuron: 'plif', initTau: 2, detachReset: false, surrogate: { name: 'atan', alpha: 2 } },
  izhikevich: { neuron: 'izhikevich', surrogate: { name: 'sigmoid', alpha: 4 } },
  cubalif: { neuron: 'cubalif', tau: 3, tauSyn: 2.5, detachReset: false, surrogate: { name: 'sigmoid', alpha: 4 } },
};
const STEPS = 12;
const NEURONS_PER_LAYER = 37; // not a multiple of 4: the SIMD kernels' tail lanes run too
// 4 and 3 divide T, 5 does not, 1 keeps every step's state as a checkpoint, 20 > T keeps only the initial state.
const INTERVALS = [1, 3, 4, 5, 20];

/** dL/dx and dL/dparams of L = sum(gS * spikes) (the spikes-only op, as in training), as raw bits. */
async function gradientBits(n: CompiledNeuron, k: number, impl: 'reference' | undefined, seed: number, T = STEPS, M = NEURONS_PER_LAYER): Promise<Uint32Array[]> {
  const rand = seededRandom(seed);
  const x = tf.tensor2d(Array.from({ length: T * M }, () => 3 * rand() - 0.5), [T, M]);
  const gS = tf.tensor2d(Array.from({ length: T * M }, () => 2 * rand() - 1), [T, M]);
  // Parameters away from their initial values, so every partial matters.
  const params = n.paramInit.map((p) => tf.scalar(p + 0.3));
  const loss = (xi: tf.Tensor, ...ps: tf.Tensor[]) => tf.sum(tf.mul(runNeuron(n, xi as tf.Tensor2D, ps, false, impl, { checkpointEvery: k }), gS)) as tf.Scalar;
  const grads = tf.grads(loss)([x, ...params]);
  const bits = await Promise.all(grads.map(tensorBits));
  tf.dispose([x, gS, ...params, ...grads]);
  return bits;
}


describe.each(NEURON_OP_RUNS)('checkpointEvery on %s: gradients bit-identical to keeping every step', (_name, backend, impl) => {
  const run = useNeuronOpRun(backend, impl);
  for (const [kind, config] of Object.entries(NEURONS)) {
    it(`${kind}, k = ${INTERVALS.join(', ')} with T = ${STEPS}`, async () => {
      if (!run.ok) return; // said loudly by useBackend
      const n = compileCaseNeuron({ config, T: STEPS, N: NEURONS_PER_LAYER });
      const opImpl = impl === 'reference' ? 'reference' : undefined;
      const seed = 7 + kind.length;
      const want = await gradientBits(n, 0, opImpl, seed);
      // A gradient of zeros everywhere would prove nothing.
      expect(want[0].some((b) => b !== 0), `${kind}: dL/dx is all zero`).toBe(true);
      for (const k of INTERVALS) {
        const got = await gradientBits(n, k, opImpl, seed);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => {
          const first = g.findIndex((b, j) => b !== want[i][j]);
          expect(first, `${kind} k=${k}: gradient ${i} (${i === 0 ? 'x' : n.paramNames[i - 1]}) differs first at element ${first}`).toBe(-1);
        });
      }
    });
  }
});

describe('checkpointEvery on the wasm SIMD kernel split across two threads', () => {
  let wasm: typeof import('@spikeflow/backend-wasm');
  beforeAll(async () => {
    await useBackend('wasm');
    wasm = await import('@spikeflow/backend-wasm');
    expect((await wasm.setup({ threads: 2 })).threads).toBe(2);
  });
  afterAll(async () => {
    await wasm.closeWasmNeuronThreads();
  });
  for (const kind of ['plif', 'izhikevich']) {
    it(`${kind}: the per-thread sums and carried gradients run on across segments (T = 7, k = 3, M = 9001)`, async () => {
      const n = compileCaseNeuron({ config: NEURONS[kind], T: 7, N: 9001 });
      const want = await gradientBits(n, 0, undefined, 11, 7, 9001);
      const got = await gradientBits(n, 3, undefined, 11, 7, 9001);
      expect(wasm.wasmNeuronKernelInfo(n)).toMatchObject<Partial<WasmNeuronKernelInfo>>({ implementation: 'wasm-simd', lastCallThreads: 2 });
      got.forEach((g, i) => expect(g.findIndex((b, j) => b !== want[i][j]), `${kind}: gradient ${i}`).toBe(-1));
    });
  }
});
