// Packed inference on worker threads (@spikeflow/infer-packed/threads): the batch split over 2 and
// 3 threads gives the predictions, scores, output spike counts and SynOps of one thread; a network
// sent to a worker as plain data (snapshot) compiles to the same stages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '@spikeflow/backend-wasm';
import { build, use, type ModelSpec, type Network } from '@spikeflow/core';
import { compileInference, reviveNetwork, snapshotNetwork } from '@spikeflow/infer-packed';
import { compileThreaded } from '@spikeflow/infer-packed/threads';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { tf } from './setup.js';

const spec: ModelSpec = {
  format: 'spikeflow.model/v1',
  name: 'packed-threads',
  input: { shape: [10, 10, 1] },
  timeSteps: 4,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 16, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2 },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'conv2d', filters: 8, kernelSize: 3, useBias: true },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'lif', tau: 2.5 },
    { kind: 'flatten' },
    { kind: 'dense', units: 20, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'if' },
    { kind: 'voting', groups: 2 },
  ],
} as ModelSpec;

describe('packed inference on worker threads', () => {
  let network: Network;
  let images: Float32Array;
  const COUNT = 23; // not a multiple of the thread counts: the last slice is shorter
  beforeAll(async () => {
    await setup({ threads: 1 });
    use(neurons, surrogates, pools);
    network = build(spec, { seed: 11 });
    // Offsets that keep every layer firing at a moderate rate, differently per unit.
    let seed = 1;
    for (const layer of network.layers.filter((l) => l.kind === 'batchNorm')) {
      for (const v of layer.variables) if (v.name.endsWith('/beta')) v.variable.assign(tf.randomUniform(v.variable.shape, 0.3, 1.2, 'float32', seed++));
    }
    const x = tf.randomUniform([COUNT, 10, 10, 1], 0, 1, 'float32', 5);
    images = (await x.data()) as Float32Array;
    x.dispose();
  });
  afterAll(() => network?.dispose());

  for (const threads of [2, 3]) {
    it(`gives on ${threads} threads the results and SynOps of one thread`, async () => {
      const one = await compileInference(network);
      const expected = one.predict(images, COUNT);
      const many = await compileThreaded(network, { threads });
      try {
        expect(many.threads).toBe(threads);
        const r = await many.predict(images, COUNT);
        expect(Array.from(r.predictions)).toEqual(Array.from(expected.predictions));
        expect(Array.from(r.scores)).toEqual(Array.from(expected.scores));
        expect(Array.from(r.outputCounts)).toEqual(Array.from(expected.outputCounts));
        // Every sample counted once, whichever thread ran it.
        expect(many.costs().samples).toBe(COUNT);
        expect(many.costs().layers.map((l) => l.synOps)).toEqual(one.costs().layers.map((l) => l.synOps));
        // The comparison means something only where the network fires, but not always.
        expect(new Set(expected.outputCounts).size).toBeGreaterThan(2);
        for (const l of many.costs().layers) if (l.firingRate !== undefined) expect(l.firingRate, l.layer).toBeGreaterThan(0.02);
        // A batch of one runs on the main thread, with the same result.
        const single = await many.predict(images.subarray(0, 100), 1);
        expect(Array.from(single.outputCounts)).toEqual(Array.from(expected.outputCounts.subarray(0, expected.neurons)));
      } finally {
        await many.close();
      }
    });
  }

  it('compiles a network sent as plain data (structured clone, as to a worker) to the same results', async () => {
    const direct = (await compileInference(network)).predict(images, COUNT);
    const copy = structuredClone(await snapshotNetwork(network));
    const revived = (await compileInference(reviveNetwork(copy))).predict(images, COUNT);
    expect(Array.from(revived.scores)).toEqual(Array.from(direct.scores));
    expect(Array.from(revived.outputCounts)).toEqual(Array.from(direct.outputCounts));
  });

  it('refuses a thread count that is not a positive integer, naming it', async () => {
    await expect(compileThreaded(network, { threads: 0 })).rejects.toThrow(/threads must be an integer >= 1, got 0/);
  });
});
