// A layer kind defined outside core with defineLayer(): validated from its fields, typed through
// LayerKinds, listed in the JSON Schema, built, trained, summarised and counted in the memory estimate.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, defineLayer, estimateTrainingBytes, Registry, summary, Trainer } from '@spikeflow/core';
import { field, modelJsonSchema, parseSpec, showShape, type LayerSpecBase, type ModelSpec } from '@spikeflow/spec';
import { neurons, surrogates } from '@spikeflow/neurons';
import { cpu } from './setup.js';

declare module '@spikeflow/spec' {
  interface LayerKinds {
    gain: LayerSpecBase & { kind: 'gain'; init?: number };
  }
}

/** Multiplies every feature by a learned gain per feature. */
const gain = defineLayer({
  kind: 'gain',
  description: 'a learned gain per feature',
  fields: { init: field.number({ default: 1, description: 'initial gain' }) },
  outputShape: ([input]) => (input.length === 1 ? input : { problem: `gain expects a flat input, got ${showShape(input)}` }),
  stateless: true,
  build(c) {
    const g = c.variable('gain', tf.fill(c.inputShape, c.spec.init as number));
    return { variables: [g], apply: (x) => tf.mul(x, g.variable) };
  },
  summary: (l) => `gain from ${String(l.init)}`,
  weights: ([input]) => input[0],
});

const registry = new Registry().register(neurons, surrogates, gain);
const spec: ModelSpec = {
  input: { shape: [6] },
  timeSteps: 3,
  layers: [{ kind: 'dense', units: 4 }, { kind: 'gain', init: 2 }, { kind: 'neuron', neuron: 'plif' }],
};

describe('a layer plugin (defineLayer)', () => {
  beforeAll(cpu);

  it('is validated from its fields and refused where it is not registered', () => {
    expect(parseSpec(spec, registry.catalog()).layers[1]).toEqual({ kind: 'gain', init: 2 });
    expect(() => parseSpec({ ...spec, layers: [{ kind: 'gain', init: 'x' }] }, registry.catalog())).toThrow(/layers\[0\]\.init: expected a number/);
    expect(() => parseSpec({ input: { shape: [2, 2, 1] }, layers: [{ kind: 'gain' }] }, registry.catalog())).toThrow(/layers\[0\]: gain expects a flat input, got \[2, 2, 1\]/);
    expect(() => build(spec, { registry: new Registry().register(neurons, surrogates) })).toThrow(/layers\[1\]\.kind: unknown layer kind "gain"; known: add, and, attention, batchNorm, concat, conv2d, dense/);
  });

  it('appears in the JSON Schema of the registry catalog', () => {
    const schema = modelJsonSchema(registry.catalog()) as { properties: { layers: { items: { oneOf: Array<{ properties: Record<string, unknown> }> } } } };
    const g = schema.properties.layers.items.oneOf.find((s) => (s.properties.kind as { const: string }).const === 'gain');
    expect(g?.properties.init).toEqual({ description: 'initial gain', default: 1, type: 'number' });
  });

  it('builds, trains (its variable gets a gradient), is summarised and counted', async () => {
    const net = build(spec, { registry, seed: 3 });
    const s = summary(net);
    expect(s.layers[1]).toMatchObject({ name: 'gain0', kind: 'gain', outputShape: [4], trainable: 4, detail: 'gain from 2' });
    expect(s.layers[2].detail).toBe('plif tau0=2');
    const before = await net.namedVariables()[2].variable.data();
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.1 }, loss: 'mse' });
    const x = tf.randomUniform([5, 6], 0, 3, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 3, 1], 'int32');
    for (let i = 0; i < 2; i++) tf.dispose(Object.values(trainer.trainStep(x, y)));
    const after = await net.namedVariables()[2].variable.data();
    expect(net.namedVariables()[2].name).toBe('gain0/gain');
    expect(Array.from(after)).not.toEqual(Array.from(before));
    const withGain = estimateTrainingBytes(spec, 2, registry);
    expect(withGain - estimateTrainingBytes({ ...spec, layers: [spec.layers[0], spec.layers[2]] }, 2, registry)).toBe(3 * 4 * 3 * 2 * 4 + 4 * 4 * 4);
    tf.dispose([x, y]);
    net.dispose();
  });
});
