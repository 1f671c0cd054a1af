import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, chainOf, importNir, modelToNir, nirToModel, readNir, type NeuronNode } from '../src/index.js';
import { Registry, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { extraNeurons } from '@spikeflow/neurons-extra';
import { cpu } from './support.js';

use(extraNeurons);

// Files in Python NIR's exact layout, written with h5py by test/python/make_fixtures.py, and the
// spikes an independent numpy simulation (test/python/nir_sim.py) computed for them.
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
interface Expected {
  version: string;
  dt: number;
  /** The file, when not `${name}.nir`, and the CubaLIF update order its numpy simulation used. */
  file?: string;
  cubalif_order?: string;
  /** Readout (LI) outputs, float64. */
  outputs?: Record<string, { shape: number[]; data: number[] }>;
  input: { shape: number[]; data: number[] };
  spikes: Record<string, { shape: number[]; data: number[] }>;
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;

/** [T, N, C, H, W] -> [T, N, H, W, C]; vectors unchanged. */
function toNhwc(shape: number[], data: number[]): tf.Tensor {
  const t = tf.tensor(data, shape);
  return shape.length === 5 ? tf.transpose(t, [0, 1, 3, 4, 2]) : t;
}

describe('NIR files in Python NIR layout', () => {
  beforeAll(cpu);

  for (const name of Object.keys(expected)) {
    it(`${name}.nir gives the spikes of the numpy simulation`, async () => {
      const e = expected[name];
      const file = e.file ?? `${name}.nir`;
      const bytes = fixture(file);
      const graph = await readNir(bytes, file);
      expect(graph.version).toBe(e.version);
      const [T] = e.input.shape;
      const neuronOptions = e.cubalif_order ? { cubalif: { order: e.cubalif_order } } : undefined;
      const model = await importNir(bytes, { dt: e.dt, encoder: 'sequence', timeSteps: T, neuronOptions });
      const net = buildModel(model);
      const x = toNhwc(e.input.shape, e.input.data);
      const { records } = net.forward(x, { record: [...Object.keys(e.spikes), ...Object.keys(e.outputs ?? {})] });
      for (const [node, o] of Object.entries(e.outputs ?? {})) {
        const got = await records.get(node)!.v!.data();
        expect(Math.max(...o.data.map(Math.abs))).toBeGreaterThan(0.1);
        o.data.forEach((want, k) => expect(Math.abs(got[k] - want), `${node}[${k}]`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want)));
      }
      let total = 0;
      for (const [node, s] of Object.entries(e.spikes)) {
        const want = await toNhwc(s.shape, s.data).data();
        const got = await records.get(node)!.spikes.data();
        expect(Array.from(got)).toEqual(Array.from(want));
        total += Array.from(want).reduce((a, b) => a + Number(b), 0);
      }
      expect(total).toBeGreaterThan(0);
    });
  }

  it('reads conv_lif.nir as conv2d, LIF with folded per-neuron r and thresholds, max pooling, dense, IF', async () => {
    const model = await importNir(fixture('conv_lif.nir'), { dt: 1e-3 });
    expect(model.spec.layers.map((l) => (l.kind === 'pool' ? `pool:${l.pool}` : l.kind === 'neuron' ? `neuron:${l.neuron}` : l.kind))).toEqual([
      'conv2d', 'neuron:lif', 'pool:max', 'flatten', 'dense', 'neuron:if',
    ]);
    const lif = model.spec.layers[1];
    expect(lif).toMatchObject({ vThreshold: 1, vReset: 0, vRest: 0, decayInput: true });
    expect(lif.tau).toBeCloseTo(4, 5);
    expect(model.spec.input.shape).toEqual([6, 6, 2]);
  });

  it('reads a file from before NIR 1.0.6 (no v_reset) as a subtractive (soft) reset', async () => {
    const graph = await readNir(fixture('legacy_linear_if.nir'));
    expect(graph.version).toBe('0.2.0');
    const model = nirToModel(graph);
    expect(model.spec.layers[1]).toMatchObject({ kind: 'neuron', neuron: 'if', vReset: null, vThreshold: 1 });
  });


  it('reads the nested CubaLIF subgraph as dense (with the per-neuron w_in folded in), cubalif, dense, li', async () => {
    const graph = await readNir(fixture('cuba_li.nir'));
    expect(Object.keys(graph.nodes).sort()).toEqual(['fc', 'input', 'li', 'output', 'readout_fc', 'sub.cuba']);
    expect(chainOf(graph)).toEqual(['input', 'fc', 'sub.cuba', 'readout_fc', 'li', 'output']);
    const model = nirToModel(graph, { dt: 1e-3 });
    expect(model.spec.layers.map((l) => (l.kind === 'neuron' ? l.neuron : l.kind))).toEqual(['dense', 'cubalif', 'dense', 'li']);
    expect(model.spec.layers[1]).toMatchObject({ name: 'sub.cuba', order: 'current-first', wIn: 1, r: 1.5, vReset: 0 });
    expect((model.spec.layers[1].tau as number) / 4).toBeCloseTo(1, 6);
    expect((model.spec.layers[1].tauSyn as number) / 3).toBeCloseTo(1, 6);
    expect(nirToModel(graph, { dt: 1e-3, neuronOptions: { cubalif: { order: 'euler' } } }).spec.layers[1]).toMatchObject({ order: 'euler' });
  });

  it("reads explicit conv padding that is not TensorFlow's 'same' as conv2d padding [1, 1], and writes it back", async () => {
    const model = await importNir(fixture('conv_pad.nir'));
    // A square window and stride are written as one number, as spikeflow's specs write them.
    expect(model.spec.layers[0]).toMatchObject({ kind: 'conv2d', kernelSize: 5, stride: 2, padding: [1, 1] });
    const graph = modelToNir(model);
    expect(graph.nodes.conv).toMatchObject({ type: 'Conv2d', padding: [1, 1], stride: [2, 2] });
    expect(graph.nodes.output).toMatchObject({ shape: [4] });
  });

  it('refuses, in one line naming the node, what no spikeflow layer holds', async () => {
    const refusal = async (file: string, options = {}) => {
      const e = await importNir(fixture(file), { source: file, ...options }).then(() => undefined, (err: Error) => err);
      expect(e, file).toBeInstanceOf(Error);
      expect(e!.message, file).not.toContain('\n');
      return e!.message;
    };
    expect(await refusal('cubalif.nir')).toBe('node "cuba": tau_mem / dt = 0.019999999552965164 / 1 = 0.019999999552965164 steps; spikeflow needs at least one step (pass a smaller dt)');
    expect(await refusal('unknown_type.nir')).toMatch(/^node "delay": unsupported node type "Delay"; spikeflow reads Input, Output, .*, CubaLIF$/);
    expect(await refusal('varying_tau.nir')).toBe('node "lif": tau varies across neurons (0.0020000000949949026..0.004000000189989805); spikeflow\'s neuron layers hold one tau per layer');
    const registry = new Registry().register(neurons, surrogates);
    expect(await refusal('cuba_li.nir', { registry, dt: 1e-3 })).toBe('node "sub.cuba": no registered neuron plugin reads CubaLIF nodes (@spikeflow/neurons-extra has one: use(extraNeurons))');
  });

  it('names the node whose shape does not fit', async () => {
    const graph = await readNir(fixture('conv_lif.nir'));
    graph.nodes.output = { type: 'Output', shape: [5] };
    expect(() => nirToModel(graph, { dt: 1e-3 })).toThrow(/node "output": shape \[5\] does not match the \[4\]/);
    const g2 = await readNir(fixture('conv_lif.nir'));
    const fc = g2.nodes.fc as Extract<typeof g2.nodes.fc, { type: 'Affine' }>;
    fc.weight = { shape: [4, 26], data: fc.weight.data.slice(0, 104) };
    expect(() => nirToModel(g2, { dt: 1e-3 })).toThrow(/node "fc": weight of shape \[4,26\] does not take the 27 inputs/);
    expect(chainOf(g2)).toEqual(['input', 'conv', 'lif', 'pool', 'pool_or', 'flat', 'fc', 'out_if', 'output']);
  });

  it('names the node when tau varies per neuron, which spikeflow layers cannot hold', async () => {
    const graph = await readNir(fixture('conv_lif.nir'));
    const lif = graph.nodes.lif as NeuronNode;
    lif.params.tau.data[3] = 0.005;
    expect(() => nirToModel(graph, { dt: 1e-3 })).toThrow(/node "lif": tau varies across neurons/);
  });
});

describe('damaged NIR files', () => {
  it('says what is wrong with bytes that are not, or no longer, a NIR file', async () => {
    await expect(readNir(new TextEncoder().encode('{"not": "hdf5"}'), 'model.json')).rejects.toThrow(/model\.json: not an HDF5 file/);
    const truncated = fixture('conv_lif.nir').subarray(0, 3000);
    await expect(readNir(truncated, 'cut.nir')).rejects.toThrow(/cut\.nir: /);
  });
});
