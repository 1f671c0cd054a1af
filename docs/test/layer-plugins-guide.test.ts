// The layer plugins guide's examples run as written: each ```ts block that defines a layer is written
// to a module and imported, then its layers validate, build, run and train as the guide says.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, parseSpec, Registry, summary, Trainer, type LayerPlugin } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { modelJsonSchema } from '@spikeflow/spec';

const guide = readFileSync(fileURLToPath(new URL('../guides/layer-plugins.md', import.meta.url)), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes('defineLayer({'));
const tmp = fileURLToPath(new URL('../.tmp/layer-plugins-guide/', import.meta.url));

const layers: Record<string, LayerPlugin> = {};
const registry = new Registry();

beforeAll(async () => {
  await tf.setBackend('cpu');
  mkdirSync(tmp, { recursive: true });
  for (const [i, code] of blocks.entries()) {
    const file = join(tmp, `example${i}.ts`);
    writeFileSync(file, code);
    for (const value of Object.values(await import(/* @vite-ignore */ file))) {
      if ((value as LayerPlugin)?.type === 'layer') layers[(value as LayerPlugin).kind] = value as LayerPlugin;
    }
  }
  registry.register(neurons, surrogates, ...Object.values(layers));
});

describe('the layer plugins guide', () => {
  it('has the three example layers', () => {
    expect(Object.keys(layers).sort()).toEqual(['gain', 'maximum', 'trace']);
  });

  it('gain: refuses a non-flat input at its path, trains, shows its summary line and its schema', async () => {
    const spec = {
      input: { shape: [6] },
      timeSteps: 3,
      layers: [{ kind: 'gain', init: 2 }, { kind: 'neuron', neuron: 'lif' }, { kind: 'voting', groups: 2 }],
    };
    expect(() => parseSpec({ ...spec, input: { shape: [2, 3] } }, registry)).toThrow(/layers\[0\].*gain expects a flat input \[features\], got \[2, 3\]/);
    const net = build(parseSpec(spec, registry), { seed: 1, registry });
    expect(summary(net).layers[0]).toMatchObject({ kind: 'gain', trainable: 6, detail: 'gain from 2' });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.1 } });
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 3);
    const { loss, rate } = trainer.trainStep(x, tf.tensor1d([0, 1, 0, 1], 'int32'));
    tf.dispose([loss, rate]);
    expect(Array.from(await net.namedVariables().find((v) => v.name === 'gain0/gain')!.variable.data()).some((g) => g !== 2)).toBe(true);
    const schema = modelJsonSchema(registry.catalog()) as any;
    expect(schema.properties.layers.items.oneOf.find((s: any) => s.properties.kind.const === 'gain').properties.init).toEqual({ type: 'number', default: 1, description: 'initial gain' });
  });

  it('trace: y[t] = decay * y[t-1] + x[t] per sample, time-major', async () => {
    const trace = layers.trace;
    const built = trace.build({ spec: { kind: 'trace', decay: 0.5 }, name: 'trace0', inputShape: [2], inputShapes: [[2]], outputShape: [2], registry, uniform: () => tf.zeros([1]), variable: () => { throw new Error('no variables'); } });
    // T = 3, N = 2, 2 features: rows are (t0 n0), (t0 n1), (t1 n0), ...
    const x = tf.tensor2d([[1, 0], [0, 2], [0, 0], [1, 0], [4, 0], [0, 0]]);
    const y = built.apply(x, { T: 3, N: 2, training: false, repeat: 1, record: new Set(), records: new Map(), random: (s) => tf.zeros(s) });
    expect(Array.from(await y.data())).toEqual([1, 0, 0, 2, 0.5, 0, 1, 1, 4.25, 0, 0.5, 0.5]);
  });

  it('maximum: a merge that needs its inputs of one shape, and gives their maximum', async () => {
    const spec = {
      input: { shape: [4] },
      timeSteps: 2,
      layers: [
        { kind: 'dense', units: 4, name: 'a' },
        { kind: 'neuron', neuron: 'lif', name: 'sa' },
        { kind: 'dense', units: 4, inputs: ['sa'] },
        { kind: 'neuron', neuron: 'lif', name: 'sb' },
        { kind: 'maximum', inputs: ['sa', 'sb'] },
        { kind: 'voting', groups: 2 },
      ],
    };
    const net = build(parseSpec(spec, registry), { seed: 2, registry });
    expect(summary(net).layers[4]).toMatchObject({ kind: 'maximum', detail: 'sa max sb' });
    const wide = { ...spec, layers: spec.layers.map((l, i) => (i === 2 ? { ...l, units: 6 } : l)) };
    expect(() => parseSpec(wide, registry)).toThrow(/layers\[4\]\.inputs: maximum needs inputs of one shape, got \[4\], \[6\]/);
    const merge = net.layers[4];
    expect(merge.passesSpikes).toBe(true);
    const ctx = { T: 1, N: 2, training: false, repeat: 1, record: new Set<string>(), records: new Map(), random: (s: number[]) => tf.zeros(s) };
    const y = merge.applyMany!([tf.tensor2d([[1, 0, 0, 1], [0, 0, 1, 1]]), tf.tensor2d([[0, 0, 1, 1], [1, 0, 0, 0]])], ctx);
    expect(Array.from(await y.data())).toEqual([1, 0, 1, 1, 1, 0, 1, 1]);
  });
});
