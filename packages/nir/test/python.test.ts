import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportNir, readNir, writeNir } from '../src/index.js';
import { cpu, inputImages, makeNetwork, record } from './support.js';

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
});
