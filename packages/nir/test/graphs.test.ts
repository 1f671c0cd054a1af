import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, defineLayer, Registry, seededRandom, type ModelSpec } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { buildModel, exportNir, filled, foldBatchNorm, importNir, modelToNir, nirToModel, readModel, readNir, type NirGraph, type SpikeflowModel } from '../src/index.js';
import { cpu, record } from './support.js';
import { recurrentSpec, sewBlockSpec, trained } from './graph-specs.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

const inputOf = (shape: number[], seed: number, scale = 2) => {
  const rnd = seededRandom(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rnd()), shape);
};

/** Spec and every weight equal, bit for bit. */
function expectSameModel(a: SpikeflowModel, b: SpikeflowModel): void {
  expect(b.spec).toEqual(a.spec);
  expect(Object.keys(b.weights).sort()).toEqual(Object.keys(a.weights).sort());
  for (const [name, w] of Object.entries(a.weights)) {
    expect(b.weights[name].shape, name).toEqual(w.shape);
    expect(Buffer.from(b.weights[name].data.buffer, b.weights[name].data.byteOffset, b.weights[name].data.byteLength).equals(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)), name).toBe(true);
  }
}

describe('NIR graphs: branches, merges and recurrence', () => {
  beforeAll(cpu);

  for (const connect of ['add', 'iand', 'and'] as const) {
    it(`a SEW-ResNet basic block (${connect.toUpperCase()}) exports and imports back bit-identical: spec, weights and spikes of the BN-folded block`, async () => {
      const net = trained(build(sewBlockSpec(connect), { seed: 3 }), 5);
      const folded = foldBatchNorm(await readModel(net));
      const bytes = await exportNir(net);
      const graph = await readNir(bytes);
      if (connect === 'add') {
        expect(graph.nodes.sew0).toMatchObject({ type: 'Scale', metadata: { spikeflow_layer: 'add' } });
        expect(graph.edges.filter(([, d]) => d === 'sew0')).toEqual([['neuron0', 'sew0'], ['sew0Out', 'sew0']]);
      } else if (connect === 'iand') {
        // (NOT a) AND b on spikes: b - a > 0.5, a = the block's output negated by a Scale(-1).
        expect(graph.nodes.sew0).toMatchObject({ type: 'Threshold', threshold: { data: new Float32Array(144).fill(0.5) } });
        expect(graph.nodes['sew0.not']).toMatchObject({ type: 'Scale', scale: { data: new Float32Array(144).fill(-1) } });
        expect(graph.edges.filter(([, d]) => d === 'sew0' || d === 'sew0.not')).toEqual([['sew0Out', 'sew0.not'], ['sew0.not', 'sew0'], ['neuron0', 'sew0']]);
      } else {
        expect(graph.nodes.sew0).toMatchObject({ type: 'Threshold', threshold: { data: new Float32Array(144).fill(1.5) } });
      }
      const back = await importNir(bytes);
      expectSameModel(folded, back);
      const x = inputOf([5, 2, 6, 6, 2], 9);
      const a = await record(buildModel(folded), x);
      const b = await record(buildModel(back), x);
      let spikes = 0;
      for (const name of Object.keys(a.spikes)) {
        expect(b.spikes[name], name).toEqual(a.spikes[name]);
        expect(b.v[name], name).toEqual(a.v[name]);
        spikes += a.spikes[name].reduce((s, v) => s + v, 0);
      }
      expect(spikes).toBeGreaterThan(30);
      // Every neuron layer spikes (with AND, the last one stays silent on this input; the merge's
      // own output is compared in test/python.test.ts's numpy check for ADD and IAND).
      for (const name of Object.keys(a.spikes)) if (connect !== 'and' || name !== 'neuron3') expect(a.spikes[name].reduce((s, v) => s + v, 0), name).toBeGreaterThan(5);
      expect(b.output).toEqual(a.output);
    });
  }

  for (const connection of ['dense', 'elementwise'] as const) {
    it(`a ${connection} recurrent layer exports as neuron <-> w_rec and imports back bit-identical`, async () => {
      const net = trained(build(recurrentSpec(connection), { seed: 4 }), 6);
      const model = await readModel(net);
      const bytes = await exportNir(net);
      const graph = await readNir(bytes);
      expect(graph.nodes['rec.w_rec'].type).toBe(connection === 'dense' ? 'Linear' : 'Scale');
      expect(graph.edges).toContainEqual(['rec', 'rec.w_rec']);
      expect(graph.edges).toContainEqual(['rec.w_rec', 'rec']);
      if (connection === 'dense') expect(graph.nodes['rec.w_in'].type).toBe('Affine');
      const back = await importNir(bytes);
      expectSameModel(model, back);
      const x = inputOf([10, 3, 5], 2, 6);
      const a = await record(net, x);
      const b = await record(buildModel(back), x);
      expect(b.spikes.rec).toEqual(a.spikes.rec);
      expect(a.spikes.rec.reduce((s, v) => s + v, 0)).toBeGreaterThan(10);
      expect(b.output).toEqual(a.output);
    });
  }

  it("reads snnTorch's RLeaky subgraph (LIF and w_rec in a cycle) as a recurrent layer: identity input weights, w_rec as feedback", async () => {
    const graph = await readNir(fixture('recurrent_subgraph.nir'));
    const model = nirToModel(graph, { dt: 1e-3 });
    expect(model.spec.layers.map((l) => l.kind)).toEqual(['dense', 'recurrent']);
    expect(model.spec.layers[1]).toMatchObject({ name: 'rlif.lif', neuron: 'lif', connection: 'dense', useBias: false, vReset: null });
    const kernel = model.weights['rlif.lif/kernel'];
    expect(kernel.shape).toEqual([6, 3]);
    expect(Array.from(kernel.data.slice(0, 9))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const wRec = graph.nodes['rlif.w_rec'] as Extract<NirGraph['nodes'][string], { type: 'Linear' }>;
    // kernel[F + in, out] = w_rec[out, in]
    for (let o = 0; o < 3; o++) for (let i = 0; i < 3; i++) expect(kernel.data[9 + i * 3 + o]).toBe(wRec.weight.data[o * 3 + i]);
    buildModel(model).dispose();
  });

  it('reads a branch and a merge: the input feeds two nodes (an identity layer names it), the Output sums them', async () => {
    const model = await importNir(fixture('branch.nir'));
    expect(model.spec.layers.map((l) => `${l.kind}:${l.name}${l.inputs ? `<-${(l.inputs as string[]).join('+')}` : ''}`)).toEqual(['dropout:input', 'dense:a', 'dense:b<-input', 'add:output_sum<-a+b']);
    const net = buildModel(model);
    const x = tf.tensor([[[1, 2]], [[3, -4]]]);
    // a and b are identities: the sum is twice the input.
    expect(Array.from(await net.forward(x).output.data())).toEqual([2, 4, 6, -8]);
  });

  it('refuses, in one line naming the node, what spikeflow cannot hold', async () => {
    const base = modelToNir(await readModel(build(recurrentSpec('dense'), { seed: 1 })));
    const refusal = (edit: (g: NirGraph) => void) => {
      const g = structuredClone(base);
      edit(g);
      const e = (() => {
        try {
          nirToModel(g);
        } catch (err) {
          return err as Error;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(Error);
      expect(e!.message).not.toContain('\n');
      return e!.message;
    };
    // A cycle through two nodes that are not one neuron and its feedback.
    expect(refusal((g) => g.edges.push(['neuron0', 'dense1']))).toBe(
      'node "neuron0": closes a cycle "neuron0" -> "dense1" -> "neuron0"; spikeflow reads recurrence as a neuron node fed back through one Affine, Linear or Scale node (snnTorch\'s RLeaky and RSynaptic)',
    );
    // A node whose output reaches nothing.
    expect(refusal((g) => {
      g.nodes.extra = { type: 'Scale', scale: filled([3], 1) };
      g.edges.push(['dense1', 'extra']);
    })).toBe('node "extra": its output reaches no Output node; spikeflow reads graphs whose every node leads to the Output');
    expect(refusal((g) => {
      g.nodes.output2 = { type: 'Output', shape: [3] };
      g.edges.push(['neuron0', 'output2']);
    })).toBe('the graph has 2 Output nodes (output, output2); a spikeflow network has exactly one output');
    expect(refusal((g) => g.edges.push(['input', 'dense1']))).toMatch(/^node "dense1": sums inputs of shapes \[7\] and \[5\]; NIR sums inputs of one shape$/);
    expect(refusal((g) => g.edges.push(['dense0', 'rec.w_in']))).toBe('node "rec.w_in": the edge from "dense0" appears twice; spikeflow reads each connection once');
  });

  const concatSpecs: Record<string, ModelSpec> = {
    'feature maps': {
      input: { shape: [6, 6, 2] },
      timeSteps: 4,
      encoder: { kind: 'sequence' },
      layers: [
        { kind: 'conv2d', filters: 3, kernelSize: 3, padding: 'same' },
        { kind: 'neuron', neuron: 'if', vThreshold: 0.5, name: 'a' },
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'same' },
        { kind: 'neuron', neuron: 'if', vThreshold: 0.5 },
        { kind: 'concat', inputs: ['a', 'neuron1'], name: 'joined' },
        { kind: 'pool', pool: 'max', size: 2 },
        { kind: 'flatten' },
        { kind: 'dense', units: 4 },
        { kind: 'neuron', neuron: 'if', vThreshold: 0.5 },
      ],
    },
    vectors: {
      input: { shape: [2, 2, 3] },
      timeSteps: 4,
      encoder: { kind: 'sequence' },
      layers: [
        { kind: 'flatten', name: 'flat' },
        { kind: 'dense', units: 5 },
        { kind: 'neuron', neuron: 'if', vThreshold: 0.2 },
        { kind: 'concat', inputs: ['flat', 'neuron0'] },
        { kind: 'dense', units: 3 },
        { kind: 'neuron', neuron: 'if', vThreshold: 0.2 },
      ],
    },
  };
  for (const [what, spec] of Object.entries(concatSpecs)) {
    it(`concat of ${what} exports as placement nodes into an identity Scale and imports back bit-identical`, async () => {
      const net = build(spec, { seed: 8 });
      const model = await readModel(net);
      const bytes = await exportNir(net, { maxPool: 'spike-or' });
      const graph = await readNir(bytes);
      const join = model.spec.layers.find((l) => l.kind === 'concat')!.name!;
      expect(graph.nodes[join]).toMatchObject({ type: 'Scale', metadata: { spikeflow_layer: 'concat' } });
      expect(graph.nodes[`${join}.in0`].type).toBe(what === 'vectors' ? 'Linear' : 'Conv2d');
      const back = await importNir(bytes);
      expectSameModel(model, back);
      const x = inputOf([4, 3, ...spec.input.shape], 3, 3);
      const a = await record(net, x);
      const b = await record(buildModel(back), x);
      for (const name of Object.keys(a.spikes)) {
        expect(b.spikes[name], name).toEqual(a.spikes[name]);
        expect(a.spikes[name].reduce((s, v) => s + v, 0), name).toBeGreaterThan(3);
      }
      expect(b.output).toEqual(a.output);
    });
  }

  it('refuses AND or IAND of what is not spikes, at export, naming the layer and why', async () => {
    const notSpikes = build({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, name: 'a' }, { kind: 'neuron', neuron: 'if' }, { kind: 'iand', inputs: ['a', 'neuron0'] }] } as never, { seed: 1 });
    await expect(exportNir(notSpikes)).rejects.toThrow(/^layers\[2\] "iand0": SEW's IAND is written to NIR as a threshold on b - a, which equals \(1 - a\) \* b only on binary spikes/);
  });

  it('refuses a Threshold node that is neither AND nor IAND, naming it', async () => {
    const graph = await readNir(await exportNir(build(sewBlockSpec('and'), { seed: 1 })));
    (graph.nodes.sew0 as Extract<NirGraph['nodes'][string], { type: 'Threshold' }>).threshold.data.fill(0.5);
    expect(() => nirToModel(graph)).toThrow(/^node "sew0": a threshold of 0\.5 on 2 inputs \(0 negated\) is neither SEW's AND/);
  });

  it("writes each layer through its kind's NIR codec in the registry: a layer plugin's own, and a refusal naming a kind without one", async () => {
    // A layer plugin outside spikeflow: a fixed gain per feature, written as a NIR Scale node.
    const gain = defineLayer({
      kind: 'fixedGain',
      description: 'multiplies each feature by 2',
      fields: {},
      outputShape: ([input]) => input,
      stateless: true,
      build: () => ({ apply: (x) => tf.mul(x, 2) }),
      nir: {
        export(c) {
          c.node(c.name, { type: 'Scale', scale: c.layout.filled(c.layout.shape(c.outputShape), 2) });
          c.connect(c.name);
        },
      },
    });
    const registry = new Registry().register(neurons, surrogates, pools, gain);
    const spec = { input: { shape: [4] }, timeSteps: 3, layers: [{ kind: 'dense', units: 3 }, { kind: 'fixedGain' }, { kind: 'neuron', neuron: 'if' }] };
    const net = build(spec as never, { seed: 2, registry });
    const graph = modelToNir(await readModel(net), { registry });
    expect(graph.nodes.fixedGain0).toMatchObject({ type: 'Scale', scale: { shape: [3] } });
    expect(graph.edges).toEqual([['input', 'dense0'], ['dense0', 'fixedGain0'], ['fixedGain0', 'neuron0'], ['neuron0', 'output']]);
    // The Scale of 2 comes back as a factor folded into the dense layer before: the same outputs.
    const back = buildModel(nirToModel(graph));
    const x = inputOf([2, 4], 4);
    expect(Array.from(await back.forward(x).output.data())).toEqual(Array.from(await net.forward(x).output.data()));
    const rows = build({ input: { shape: [4, 4, 1] }, timeSteps: 4, layers: [{ kind: 'rowSequence' }, { kind: 'dense', units: 2 }] } as never, { seed: 1 });
    await expect(exportNir(rows)).rejects.toThrow(/^layers\[0\] "rowSequence0": layer kind "rowSequence" has no NIR export$/);
  });
});
