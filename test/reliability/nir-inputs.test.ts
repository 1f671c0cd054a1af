// A NIR file is untrusted input: sizes are checked from its HDF5 metadata before any data is
// inflated, and parameters that are not finite are named as such.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { filled, importNir, ndarray, NirError, readNir, writeNir, type NirGraph } from '@spikeflow/nir';
import { assertBuilt } from './cli-support.js';
import { canWatchMemory, describeRun, runWatched } from './watch-support.js';

// NIR's neuron nodes are read by the registered neuron plugins' codecs.
use(neurons, surrogates);

// The bomb is written with h5py (as Python NIR writes files): one compressed 1024x1024 chunk of
// zeros stored for every chunk of an N x N float32 Affine weight, so a ~1 MB file declares N*N*4 bytes.
const BOMB_PY = `
import sys, zlib, h5py, numpy as np
n = int(sys.argv[2]); chunk = 1024
s = h5py.string_dtype()
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('version', data='1.0.7', dtype=s)
    node = f.create_group('node')
    node.create_dataset('type', data='NIRGraph', dtype=s)
    node.create_dataset('edges', data=np.array([['input', 'fc'], ['fc', 'output']], dtype=object), dtype=s)
    nodes = node.create_group('nodes')
    for name, t in (('input', 'Input'), ('output', 'Output')):
        g = nodes.create_group(name); g.create_dataset('type', data=t, dtype=s); g.create_dataset('shape', data=np.array([n], dtype='<i8'))
    fc = nodes.create_group('fc'); fc.create_dataset('type', data='Affine', dtype=s)
    fc.create_dataset('bias', data=np.zeros(n, dtype='<f4'))
    w = fc.create_dataset('weight', shape=(n, n), dtype='<f4', chunks=(chunk, chunk), compression='gzip')
    zeros = zlib.compress(np.zeros((chunk, chunk), dtype='<f4').tobytes(), 9)
    for i in range(0, n, chunk):
        for j in range(0, n, chunk):
            w.id.write_direct_chunk((i, j), zeros)
`;
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import h5py, numpy'], { stdio: 'ignore' }).status === 0);
if (!python) console.warn('nir-inputs: the gzip-bomb tests are skipped: no python3 with h5py and numpy here (Debian: python3-h5py python3-numpy; CI installs them and runs these tests)');

function writeBomb(n: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'spikeflow-nir-')), `bomb-${n}.nir`);
  const r = spawnSync(python!, ['-c', BOMB_PY, file, String(n)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return file;
}

/** Input [4] -> Affine [2, 4] -> LIF [2] -> Output [2], with LIF parameters as given. */
function lifGraph(tau: number[], vThreshold = [1, 1]): NirGraph {
  return {
    nodes: {
      input: { type: 'Input', shape: [4] },
      fc: { type: 'Affine', weight: filled([2, 4], 0.5), bias: filled([2], 0) },
      lif: { type: 'LIF', params: { tau: ndarray([2], tau), r: filled([2], 1), v_leak: filled([2], 0), v_threshold: ndarray([2], vThreshold), v_reset: filled([2], 0) } },
      output: { type: 'Output', shape: [2] },
    },
    edges: [
      ['input', 'fc'],
      ['fc', 'lif'],
      ['lif', 'output'],
    ],
  };
}

describe('NIR gzip bomb', () => {
  it.skipIf(!python || !canWatchMemory)('a 16384x16384 zero weight in a ~1 MB file is refused by import in under 5 s and 500 MB', async () => {
    assertBuilt();
    const file = writeBomb(16384);
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-nir-out-'));
    const r = await runWatched(['import', file, '--out', out]);
    console.log(`NIR gzip bomb: ${describeRun(r)}`);
    expect(r.killedBy, describeRun(r)).toBeUndefined();
    expect(r.code).toBe(1);
    // CPU time, not wall time: on a loaded machine the wall clock counts the wait for a core.
    expect(r.cpuMs).toBeLessThan(5000);
    expect(r.peakMB).toBeLessThan(500);
    expect(r.stderr).toContain('node "fc": ');
    expect(r.stderr).toContain('"weight" declares shape [16384,16384]: 268435456 values (1024 MB as float32)');
  });

  it.skipIf(!python)('readNir names the node and the dataset, before reading it', async () => {
    const bytes = new Uint8Array(readFileSync(writeBomb(16384)));
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
    const e = await readNir(bytes, 'bomb.nir').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NirError);
    expect((e as NirError).node).toBe('fc');
    expect((e as NirError).message).toMatch(/^node "fc": bomb\.nir: "weight" declares shape \[16384,16384\]/);
  });

  it.skipIf(!python)('the limit is the sum over the file and can be raised', async () => {
    const bytes = new Uint8Array(readFileSync(writeBomb(2048))); // 4M values: under the default
    const graph = await readNir(bytes, 'small.nir');
    expect((graph.nodes.fc as { weight: { shape: number[] } }).weight.shape).toEqual([2048, 2048]);
    await expect(readNir(bytes, 'small.nir', 2048 * 2048)).rejects.toThrow(/node "fc": small\.nir: "weight" brings the file's declared values to \d+, more than the 4194304/);
  });
});

describe('NIR parameters that are not finite', () => {
  it('a NaN tau is named as not finite, not as varying across neurons', async () => {
    const bytes = await writeNir(lifGraph([Number.NaN, Number.NaN]));
    const e = await importNir(bytes).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NirError);
    expect((e as NirError).message).toBe('node "lif": tau[0] = NaN is not finite');
  });

  it('an infinite threshold and a NaN weight are named the same way', async () => {
    await expect(importNir(await writeNir(lifGraph([2, 2], [1, Number.POSITIVE_INFINITY])))).rejects.toThrow('node "lif": v_threshold[1] = Infinity is not finite');
    const graph = lifGraph([2, 2]);
    (graph.nodes.fc as { weight: { data: Float32Array } }).weight.data[5] = Number.NaN;
    await expect(importNir(await writeNir(graph))).rejects.toThrow('node "fc": weight[5] = NaN is not finite');
  });

  it('a finite graph still imports', async () => {
    const model = await importNir(await writeNir(lifGraph([2, 2])));
    expect(model.spec.layers.map((l) => l.kind)).toEqual(['dense', 'neuron']);
  });
});
