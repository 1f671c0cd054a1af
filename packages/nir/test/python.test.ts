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

use(extraNeurons);

// Cross-checks with Python: h5py (an HDF5 reader independent of h5wasm) and numpy. They run where
// python3-h5py and python3-numpy are installed (CI installs them in .ci/run) and skip elsewhere.
const scripts = join(dirname(fileURLToPath(import.meta.url)), 'python');
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
