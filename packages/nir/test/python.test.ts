import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, seededRandom, use } from '@spikeflow/core';
import { extraNeurons } from '@spikeflow/neurons-extra';
import { buildModel, exportNir, importNir, readNir, writeNir } from '../src/index.js';
import { cpu, inputImages, makeNetwork, record } from './support.js';
import { recurrentSpec, sewBlockSpec, trained } from './graph-specs.js';

use(extraNeurons);

// Cross-checks with Python: h5py (an HDF5 reader independent of h5wasm) and numpy. They run where
// python3-h5py and python3-numpy are installed (CI installs them in .ci/run) and skip elsewhere.
const scripts = join(dirname(fileURLToPath(import.meta.url)), 'python');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import h5py, numpy'], { stdio: 'ignore' }).status === 0);
if (!python) console.log('NIR Python cross-checks skipped: no python3 with h5py and numpy here (Debian: apt-get install python3-h5py python3-numpy; CI installs them and runs these tests).');

const work = mkdtempSync(join(tmpdir(), 'spikeflow-nir-'));
function run(script: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(python!, [join(scripts, script), ...args], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!python)('exported NIR files read by h5py and simulated in numpy', () => {
  beforeAll(cpu);

  it("holds the layout and shapes Python NIR's reader expects (h5py)", async () => {
    const path = join(work, 'csnn.nir');
    writeFileSync(path, await exportNir(makeNetwork(), { maxPool: 'spike-or' }));
    const r = run('check_layout.py', [path]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      version: '1.0.7',
      chain: ['Input', 'Conv2d', 'LIF', 'SumPool2d', 'IF', 'Conv2d', 'IF', 'AvgPool2d', 'Flatten', 'Affine', 'LIF', 'Affine', 'Output'],
      output: [3],
    });
  });

  it('the layout check fails on a file whose shapes do not chain (it can fail)', async () => {
    const graph = await readNir(await exportNir(makeNetwork(), { maxPool: 'spike-or' }));
    graph.nodes.output = { type: 'Output', shape: [4] };
    const path = join(work, 'broken.nir');
    writeFileSync(path, await writeNir(graph));
    const r = run('check_layout.py', [path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/node\/nodes\/output\/shape: \[4\] is not the incoming \[3\]/);
  });

  it("an independent numpy simulation of the exported graph reproduces spikeflow's spikes", async () => {
    const net = makeNetwork();
    const path = join(work, 'sim.nir');
    writeFileSync(path, await exportNir(net, { maxPool: 'spike-or' }));
    const images = inputImages(2, 11);
    const ours = await record(net, images);
    // The direct encoder feeds the image at every step: [T, N, C, H, W] for the graph's Input.
    const T = net.timeSteps;
    const nchw = tf.tidy(() => tf.tile(tf.transpose(images, [0, 3, 1, 2]).expandDims(0), [T, 1, 1, 1, 1]));
    const inPath = join(work, 'input.json');
    writeFileSync(inPath, JSON.stringify({ shape: nchw.shape, data: Array.from(await nchw.data()) }));
    nchw.dispose();
    const outPath = join(work, 'sim.json');
    execFileSync(python!, [join(scripts, 'nir_sim.py'), path, inPath, '1', outPath]);
    const sim = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, { shape: number[]; data: number[] } | number>;
    let spikes = 0;
    const margins: string[] = [];
    for (const layer of net.layers.filter((l) => l.neuron)) {
      const s = sim[layer.name] as { shape: number[]; data: number[] };
      // numpy's [T, N, C, H, W] in spikeflow's [T, N, H, W, C]
      const theirs = tf.tidy(() => {
        const t = tf.tensor(s.data, s.shape);
        return s.shape.length === 5 ? tf.transpose(t, [0, 1, 3, 4, 2]) : t;
      });
      expect(Array.from(await theirs.data())).toEqual(Array.from(ours.spikes[layer.name]));
      theirs.dispose();
      spikes += ours.spikes[layer.name].reduce((a, b) => a + b, 0);
      margins.push(`${layer.name} ${(sim[`margin:${layer.name}`] as number).toExponential(1)}`);
    }
    console.log(`numpy simulation = spikeflow: ${spikes} spikes in 3 neuron layers; smallest |v - threshold| per layer: ${margins.join(', ')}`);
    expect(spikes).toBeGreaterThan(20);
  });

  for (const order of ['current-first', 'euler'] as const) {
    it(`CubaLIF -> LI (order '${order}'): numpy reproduces spikeflow's spikes and readout, and the file imports back bit for bit`, async () => {
      const T = 12;
      const N = 3;
      const F = 6;
      const net = build(
        {
          input: { shape: [F] },
          encoder: { kind: 'sequence' },
          timeSteps: T,
          layers: [
            { kind: 'dense', units: 10 },
            { kind: 'neuron', neuron: 'cubalif', name: 'cuba', tau: 4, tauSyn: 3, r: 2.5, wIn: 1.5, vReset: 0, order },
            { kind: 'dense', units: 3 },
            { kind: 'neuron', neuron: 'li', name: 'readout', tau: 3 },
          ],
        },
        { seed: 4 },
      );
      const rnd = seededRandom(order === 'euler' ? 8 : 6);
      const x = tf.tensor3d(Array.from({ length: T * N * F }, () => 4 * rnd()), [T, N, F]);
      const ours = await record(net, x);
      const bytes = await exportNir(net);
      const path = join(work, `cuba_li_${order}.nir`);
      writeFileSync(path, bytes);
      const inPath = join(work, 'cuba_input.json');
      writeFileSync(inPath, JSON.stringify({ shape: x.shape, data: Array.from(await x.data()) }));
      const outPath = join(work, 'cuba_sim.json');
      execFileSync(python!, [join(scripts, 'nir_sim.py'), path, inPath, '1', outPath, order]);
      const sim = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, { shape: number[]; data: number[] } | number>;
      const spikes = (sim.cuba as { data: number[] }).data;
      expect(spikes).toEqual(Array.from(ours.spikes.cuba));
      const count = spikes.reduce((a, b) => a + b, 0);
      expect(count).toBeGreaterThan(20);
      expect(count).toBeLessThan(T * N * 10 * 0.9);
      const readout = (sim.readout as { data: number[] }).data;
      readout.forEach((v, k) => expect(Math.abs(ours.output[k] - v)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v)));
      // The other order gives other spikes: the simulation would catch a wrong order.
      execFileSync(python!, [join(scripts, 'nir_sim.py'), path, inPath, '1', outPath, order === 'euler' ? 'current-first' : 'euler']);
      const other = (JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, { data: number[] }>).cuba.data;
      expect(other.filter((s, k) => s !== spikes[k]).length).toBeGreaterThan(0);
      console.log(`CubaLIF (${order}) -> LI: numpy = spikeflow, ${count} spikes; smallest |v - threshold| ${(sim['margin:cuba'] as number).toExponential(1)}`);
      const again = await record(buildModel(await importNir(bytes)), x);
      expect(Array.from(again.spikes.cuba)).toEqual(Array.from(ours.spikes.cuba));
      expect(Array.from(again.output)).toEqual(Array.from(ours.output));
      x.dispose();
      net.dispose();
    });
  }
});

/** [T, N, C, H, W] (numpy, NIR order) -> spikeflow's [T, N, H, W, C]; vectors unchanged. */
async function nhwc(s: { shape: number[]; data: number[] }): Promise<number[]> {
  const t = tf.tensor(s.data, s.shape);
  const out = s.shape.length === 5 ? tf.transpose(t, [0, 1, 3, 4, 2]) : t;
  const data = Array.from(await out.data());
  tf.dispose([t, out]);
  return data;
}

/** Runs nir_sim.py on a file and an input [T, N, ...] in NIR's order; its per-node outputs. */
async function simulateFile(path: string, x: tf.Tensor, dt: number, order = 'current-first'): Promise<Record<string, { shape: number[]; data: number[] } | number>> {
  const inPath = join(work, 'graph_input.json');
  writeFileSync(inPath, JSON.stringify({ shape: x.shape, data: Array.from(await x.data()) }));
  const outPath = join(work, 'graph_sim.json');
  execFileSync(python!, [join(scripts, 'nir_sim.py'), path, inPath, String(dt), outPath, order]);
  return JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, { shape: number[]; data: number[] } | number>;
}

describe.skipIf(!python)('graphs simulated in numpy: recurrent edges delayed one step, merges summed', () => {
  beforeAll(cpu);

  it("a recurrent graph spikeflow wrote (dense -> recurrent PLIF -> dense -> LIF): numpy reproduces spikeflow's spikes", async () => {
    const net = trained(build(recurrentSpec('dense'), { seed: 4 }), 6);
    const path = join(work, 'recurrent.nir');
    writeFileSync(path, await exportNir(net));
    const rnd = seededRandom(12);
    const x = tf.tensor3d(Array.from({ length: 10 * 4 * 5 }, () => 12 * rnd()), [10, 4, 5]);
    const ours = await record(net, x);
    const sim = await simulateFile(path, x, 1);
    let spikes = 0;
    for (const layer of ['rec', 'neuron0']) {
      expect(await nhwc(sim[layer] as { shape: number[]; data: number[] }), layer).toEqual(Array.from(ours.spikes[layer]));
      spikes += ours.spikes[layer].reduce((a, b) => a + b, 0);
    }
    expect(spikes).toBeGreaterThan(20);
    console.log(`recurrent graph: numpy = spikeflow, ${spikes} spikes; smallest |v - threshold|: rec ${(sim['margin:rec'] as number).toExponential(1)}`);
    x.dispose();
  });

  it("the NIR paper's braille network (snnTorch's RSynaptic: CubaLIF and w_rec in a cycle, dt = 1e-4): numpy reproduces spikeflow's spikes", async () => {
    const file = join(fixtures, 'paper', '03_rnn__braille_noDelay_noBias_subtract.nir');
    const T = 60;
    const rnd = seededRandom(3);
    // Braille taps are sparse events on 12 channels.
    const x = tf.tensor3d(Array.from({ length: T * 2 * 12 }, () => (rnd() < 0.5 ? 1 : 0)), [T, 2, 12]);
    const model = await importNir(new Uint8Array(readFileSync(file)), { dt: 1e-4, timeSteps: T, encoder: 'sequence' });
    expect(model.spec.layers.map((l) => l.kind)).toEqual(['dense', 'recurrent', 'dense', 'neuron']);
    const net = buildModel(model);
    const ours = await record(net, x);
    const sim = await simulateFile(file, x, 1e-4);
    let spikes = 0;
    for (const [node, layer] of [['lif1.lif', 'lif1.lif'], ['lif2', 'lif2']]) {
      expect(await nhwc(sim[node] as { shape: number[]; data: number[] }), node).toEqual(Array.from(ours.spikes[layer]));
      spikes += ours.spikes[layer].reduce((a, b) => a + b, 0);
    }
    expect(spikes).toBeGreaterThan(20);
    console.log(`braille (NIR paper): numpy = spikeflow, ${spikes} spikes; smallest |v - threshold|: lif1.lif ${(sim['margin:lif1.lif'] as number).toExponential(1)}, lif2 ${(sim['margin:lif2'] as number).toExponential(1)}`);
    x.dispose();
    net.dispose();
  });

  for (const connect of ['add', 'iand'] as const) {
  it(`a residual graph (a SEW-ResNet basic block with ${connect.toUpperCase()}): numpy reproduces spikeflow's spikes`, async () => {
    const net = trained(build(sewBlockSpec(connect), { seed: 3 }), 5);
    const path = join(work, 'sew.nir');
    writeFileSync(path, await exportNir(net));
    const rnd = seededRandom(9);
    const x = tf.tensor(Array.from({ length: 5 * 2 * 6 * 6 * 2 }, () => 2 * rnd()), [5, 2, 6, 6, 2]);
    const ours = await record(net, x);
    const nchw = tf.transpose(x, [0, 1, 4, 2, 3]);
    const sim = await simulateFile(path, nchw, 1);
    nchw.dispose();
    let spikes = 0;
    const neuronLayers = net.layers.filter((l) => l.neuron).map((l) => l.name);
    expect(neuronLayers).toEqual(['neuron0', 'neuron1', 'sew0Out', 'neuron3']);
    for (const layer of neuronLayers) {
      expect(await nhwc(sim[layer] as { shape: number[]; data: number[] }), layer).toEqual(Array.from(ours.spikes[layer]));
      spikes += ours.spikes[layer].reduce((a, b) => a + b, 0);
    }
    // The merge: the sum of the stem's and the block's spikes (ADD), or the stem's where the block is silent (IAND).
    const merge = connect === 'add' ? (s: number, k: number) => s + ours.spikes.sew0Out[k] : (s: number, k: number) => s * (1 - ours.spikes.sew0Out[k]);
    expect(await nhwc(sim.sew0 as { shape: number[]; data: number[] })).toEqual(Array.from(ours.spikes.neuron0, merge));
    // Every neuron layer spikes: the block and the layers after the merge are compared, not silent.
    for (const layer of neuronLayers) expect(ours.spikes[layer].reduce((a, b) => a + b, 0), layer).toBeGreaterThan(5);
    console.log(`residual graph (${connect}): numpy = spikeflow, ${spikes} spikes in ${neuronLayers.length} neuron layers (${neuronLayers.map((l) => ours.spikes[l].reduce((a, b) => a + b, 0)).join(', ')})`);
    x.dispose();
  });
  }

  it("the NIR paper's sinabs CNN (SumPool2d read as average pooling, its window folded into the next weights): numpy reproduces spikeflow's spikes", async () => {
    const file = join(fixtures, 'paper', '02_cnn__cnn_sinabs.nir');
    const T = 6;
    const rnd = seededRandom(5);
    // DVS-like events: sparse counts on 2 polarities, [T, N, C, H, W] as the file's Input reads them.
    const x = tf.tensor(Array.from({ length: T * 2 * 2 * 34 * 34 }, () => (rnd() < 0.15 ? 1 : 0)), [T, 2, 2, 34, 34]);
    const model = await importNir(new Uint8Array(readFileSync(file)), { timeSteps: T, encoder: 'sequence' });
    const net = buildModel(model);
    const nhwcInput = tf.transpose(x, [0, 1, 3, 4, 2]);
    const ours = await record(net, nhwcInput);
    nhwcInput.dispose();
    const sim = await simulateFile(file, x, 1);
    let spikes = 0;
    for (const node of ['1', '3', '6', '10', '12']) {
      expect(await nhwc(sim[node] as { shape: number[]; data: number[] }), node).toEqual(Array.from(ours.spikes[node]));
      spikes += ours.spikes[node].reduce((a, b) => a + b, 0);
    }
    expect(ours.spikes['12'].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    console.log(`sinabs CNN (NIR paper): numpy = spikeflow, ${spikes} spikes in 5 IF layers`);
    x.dispose();
    net.dispose();
  });
});
