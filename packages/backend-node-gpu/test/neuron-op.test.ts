// The 'tensorflow' neuron op's arithmetic and its number of kernel calls per time step. tfjs-node
// cannot be installed here (its install downloads libtensorflow), so these run the same op on
// tfjs's cpu backend: they test the op, not TensorFlow. The conformance suite runs it on
// 'tensorflow' wherever tfjs-node loads.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, parseSpec, runNeuron, use } from '@spikeflow/core';
import { NEURON_KERNEL, registerKernels, runNeuronCase, type CompiledNeuron, type NeuronVectorFile } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';
import { tensorflowNeuronOp } from '../src/tensorflow-neuron-op.js';
import { countKernelCalls } from '../src/call-count.js';

const read = (name: string): NeuronVectorFile => JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8'));
// The catalogue has neurons with a second state variable (Izhikevich) and non-affine charges (QIF, EIF).
const cases = [...read('neuron_vectors.json').cases, ...read('catalogue_vectors.json').cases];

function compiled(layer: Record<string, unknown>): CompiledNeuron {
  const net = build(parseSpec({ input: { shape: [4] }, timeSteps: 2, layers: [{ kind: 'neuron', ...layer }] }));
  const n = net.layers.find((l) => l.neuron)!.neuron!;
  net.dispose();
  return n;
}

describe("the 'tensorflow' neuron op, run on tfjs's cpu backend", () => {
  beforeAll(async () => {
    use(neurons, surrogates, pools, ...extraNeurons, ...extraSurrogates);
    await tf.setBackend('cpu');
    registerKernels([{ kernelName: NEURON_KERNEL, backendName: 'cpu', neuronOp: tensorflowNeuronOp }]);
  });

  for (const c of cases) {
    it(`${c.name}: spikes exact, v and dL/dx within 1e-5, dL/dw within 1e-4 relative`, async () => {
      const r = await runNeuronCase(c);
      expect(r.ran).toBe('cpu/fused');
      expect(r.failures).toEqual([]);
    });
  }

  it('makes 4 calls per step forward and 2 backward (PLIF, hard reset), and frees what it makes', async () => {
    const n = compiled({ neuron: 'plif', initTau: 2, detachReset: true });
    const counts = await countKernelCalls(n, [4, 8], 16);
    console.log(`PLIF per time step: forward ${counts.forwardPerStep}, backward ${counts.backwardPerStep} kernel calls`, counts);
    expect(counts.forwardPerStep).toBe(4);
    expect(counts.backwardPerStep).toBe(2);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([6, 10]) as tf.Tensor2D;
    const w = tf.scalar(0.1);
    tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(runNeuron(n, a as tf.Tensor2D, [b], true)))([x, w]));
    tf.dispose([x, w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a soft reset adds one call forward; IF makes as many as PLIF', async () => {
    const lif = await countKernelCalls(compiled({ neuron: 'lif', tau: 2, vReset: null }), [4, 8], 16);
    expect([lif.forwardPerStep, lif.backwardPerStep]).toEqual([5, 2]);
    const ifNeuron = await countKernelCalls(compiled({ neuron: 'if' }), [4, 8], 16);
    expect([ifNeuron.forwardPerStep, ifNeuron.backwardPerStep]).toEqual([4, 2]);
  });
});
