// Memory-lean BPTT on a whole network, and the neuron op's repeated input. Under checkpointEvery a
// direct encoder's first neuron layer keeps one step's input [N, ...] instead of its T copies
// (repeatInput), and the network frees every value once its last reader has run. The gradients of
// every variable must stay bit-identical to the option off, with float32 and with bool spikes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, runNeuron, seededRandom, setSpikesSavedAsBool, use, type ModelSpec } from '@spikeflow/core';
import { compileCaseNeuron, type CompiledNeuron } from '@spikeflow/core/backend';
import { pools } from '@spikeflow/pooling';
import { NEURON_OP_RUNS, tensorBits, tf, useBackend, useNeuronOpRun } from './backends.js';

use(pools);

const firstDifference = (a: Uint32Array, b: Uint32Array) => (a.length !== b.length ? -2 : a.findIndex((v, i) => v !== b[i]));

/** Gradients (x, then the parameters) of L = sum(gS * spikes) for x1 [1, M] repeated T times: by the op (repeatInput) or tiled before it. */
async function repeatedGradients(n: CompiledNeuron, how: 'op' | 'tile', k: number, impl: 'reference' | undefined, T: number, M: number) {
  const rand = seededRandom(5 + M);
  const x1 = tf.tensor2d(Array.from({ length: M }, () => 2.5 * rand() - 0.5), [1, M]);
  const gS = tf.tensor2d(Array.from({ length: T * M }, () => 2 * rand() - 1), [T, M]);
  const params = n.paramInit.map((p) => tf.scalar(p + 0.3));
  let savedShapes: number[][] = [];
  const loss = (xi: tf.Tensor, ...ps: tf.Tensor[]) => {
    const out = how === 'op'
      ? runNeuron(n, xi as tf.Tensor2D, ps, false, impl, { checkpointEvery: k, repeatInput: T })
      : runNeuron(n, tf.tile(xi, [T, 1]) as tf.Tensor2D, ps, false, impl, { checkpointEvery: k });
    const tape = tf.engine().state.activeTape;
    savedShapes = (tape[tape.length - 1].saved ?? []).map((t) => t.shape);
    return tf.sum(tf.mul(out, gS)) as tf.Scalar;
  };
  const grads = tf.grads(loss)([x1, ...params]);
  const out = await Promise.all(grads.map(tensorBits));
  tf.dispose([x1, gS, ...params, ...grads]);
  return { grads: out, savedShapes };
}


describe.each(NEURON_OP_RUNS)('repeatInput on %s: gradients bit-identical to repeating x before the op', (_name, backend, impl) => {
  const run = useNeuronOpRun(backend, impl);
  const configs = {
    plif: { neuron: 'plif', initTau: 2, detachReset: false, surrogate: { name: 'atan', alpha: 2 } },
    izhikevich: { neuron: 'izhikevich', surrogate: { name: 'sigmoid', alpha: 4 } },
  } as const;
  for (const [kind, config] of Object.entries(configs)) {
    it(`${kind}: k = 0, 3, 5, 20 with T = 9, M = 37`, async () => {
      if (!run.ok) return;
      const T = 9;
      const M = 37;
      const n = compileCaseNeuron({ config, T, N: M });
      const opImpl = impl === 'reference' ? 'reference' : undefined;
      const want = await repeatedGradients(n, 'tile', 0, opImpl, T, M);
      expect(want.grads[0].some((b) => b !== 0), 'dL/dx is all zero').toBe(true);
      for (const k of [0, 3, 5, 20]) {
        const got = await repeatedGradients(n, 'op', k, opImpl, T, M);
        got.grads.forEach((g, i) => expect(firstDifference(g, want.grads[i]), `k=${k}: gradient ${i}`).toBe(-1));
        // The op keeps x as [1, M], never its T copies (where it takes repeatInput itself).
        if (backend !== 'webgpu') expect(got.savedShapes.some((s) => s[0] === T && s[1] === M), `k=${k}: saved ${JSON.stringify(got.savedShapes)}`).toBe(false);
      }
    });
  }
});

describe('repeatInput on the wasm SIMD kernel split across two threads', () => {
  let wasm: typeof import('@spikeflow/backend-wasm');
  beforeAll(async () => {
    await useBackend('wasm');
    wasm = await import('@spikeflow/backend-wasm');
    expect((await wasm.setup({ threads: 2 })).threads).toBe(2);
  });
  afterAll(async () => {
    await wasm.closeWasmNeuronThreads();
  });
  it('plif: dL/dx written over the repeated input by both threads (T = 7, k = 3, M = 9001)', async () => {
    const config = { neuron: 'plif', initTau: 2, detachReset: false, surrogate: { name: 'atan', alpha: 2 } } as const;
    const n = compileCaseNeuron({ config, T: 7, N: 9001 });
    const want = await repeatedGradients(n, 'tile', 0, undefined, 7, 9001);
    const got = await repeatedGradients(n, 'op', 3, undefined, 7, 9001);
    expect(wasm.wasmNeuronKernelInfo(n)).toMatchObject({ implementation: 'wasm-simd', lastCallThreads: 2 });
    got.grads.forEach((g, i) => expect(firstDifference(g, want.grads[i]), `gradient ${i}`).toBe(-1));
  });
});

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 0.3, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
/** The long-T benchmark's network, smaller: conv-BN-PLIF-pool twice, dense-PLIF twice, direct encoder. */
const csnn = (T: number): ModelSpec => ({
  input: { shape: [8, 8, 1] },
  timeSteps: T,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 16, useBias: true },
    plif,
    { kind: 'dense', units: 4, useBias: false },
    plif,
  ],
} as ModelSpec);

/** Loss, every trainable variable's gradient bits, the bytes the tape keeps for backward (each buffer once), and the step's tensor peak. */
async function networkStep(T: number, k: number, record: string[] = []) {
  const net = build(csnn(T), { seed: 3, checkpointEvery: k });
  // Large enough inputs that the first layers fire.
  const x = tf.randomUniform([3, 8, 8, 1], 0, 3, 'float32', 8);
  const target = tf.oneHot(tf.tensor1d([0, 1, 3], 'int32'), 4);
  let held = 0;
  let loss: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    ({ value: loss, grads } = tf.variableGrads(() => {
      const { output, records } = net.forward(x, { training: true, seed: 1, record });
      for (const r of records.values()) tf.dispose([r.spikes, r.v ?? []].flat());
      const buffers = new Map<object, number>();
      for (const node of tf.engine().state.activeTape) for (const t of node.saved ?? []) if (!t.isDisposed) buffers.set(t.dataId, t.size * (t.dtype === 'bool' ? 1 : 4));
      held = [...buffers.values()].reduce((a, b) => a + b, 0);
      return tf.losses.meanSquaredError(target, tf.mean(output, 0));
    }, net.trainableVariables()));
    return [];
  });
  const out: Record<string, Uint32Array> = {};
  for (const v of net.trainableNamedVariables()) out[v.name] = await tensorBits(grads[v.variable.name]);
  const lossValue = (await loss!.data())[0];
  tf.dispose([x, target, loss!, ...Object.values(grads)]);
  net.dispose();
  return { loss: lossValue, grads: out, held, peak: profile.peakBytes - before };
}

describe.each(['cpu', 'wasm'] as const)('memory-lean BPTT on a CSNN (%s): bit-identical gradients, less kept', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => setSpikesSavedAsBool(backend, false));

  for (const bool of [false, true]) {
    it(`spikes kept as ${bool ? 'bool' : 'float32'}: every variable's gradient and the loss equal for k = 3, 4, 20 (T = 12)`, async () => {
      setSpikesSavedAsBool(backend, bool);
      const T = 12;
      const full = await networkStep(T, 0);
      expect(Object.keys(full.grads).length).toBe(13);
      for (const [name, g] of Object.entries(full.grads)) expect(g.some((b) => b !== 0), `${name}: all-zero gradient`).toBe(true);
      for (const k of [3, 4, 20]) {
        const lean = await networkStep(T, k);
        expect(lean.loss).toBe(full.loss);
        for (const [name, g] of Object.entries(full.grads)) expect(firstDifference(lean.grads[name], g), `k=${k}: ${name}`).toBe(-1);
        // The first neuron layer alone kept 3 x 8 x 8 x 8 x T floats of input (18 KiB at T = 12) and a
        // state per step; the lean pass keeps one step's input and ceil(T / k) states.
        expect(full.held - lean.held, `k=${k}: held ${lean.held} vs ${full.held}`).toBeGreaterThan(20_000);
        expect(lean.peak, `k=${k}: peak ${lean.peak} vs ${full.peak}`).toBeLessThan(full.peak);
      }
    });
  }

  it('a monitored first neuron layer runs on the repeated input and still gives the same gradients', async () => {
    setSpikesSavedAsBool(backend, false);
    const full = await networkStep(6, 0, ['neuron0']);
    const lean = await networkStep(6, 4, ['neuron0']);
    expect(lean.loss).toBe(full.loss);
    for (const [name, g] of Object.entries(full.grads)) expect(firstDifference(lean.grads[name], g), name).toBe(-1);
  });
});
