import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, chainOf, exportNir, foldBatchNorm, importNir, readModel, readNir } from '../src/index.js';
import { cpu, inputImages, makeNetwork, record } from './support.js';

describe('NIR round trip in TypeScript', () => {
  beforeAll(cpu);

  it('folding batch norm changes membrane potentials by float rounding only', async () => {
    const net = makeNetwork();
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    expect(folded.layers.map((l) => l.kind)).not.toContain('batchNorm');
    const x = inputImages(4);
    const a = await record(net, x);
    const b = await record(folded, x);
    let maxDiff = 0;
    let flips = 0;
    let total = 0;
    for (const name of Object.keys(a.v)) {
      a.v[name].forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.v[name][i]))));
      a.spikes[name].forEach((s, i) => (flips += s !== b.spikes[name][i] ? 1 : 0));
      total += a.spikes[name].length;
    }
    console.log(`BN folding: max |v_unfolded - v_folded| = ${maxDiff.toExponential(2)} over ${total} neuron-steps, ${flips} spikes differ`);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(flips).toBe(0);
  });

  it('export then import gives the spikes of the BN-folded original, bit for bit', async () => {
    const net = makeNetwork();
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    const bytes = await exportNir(net, { maxPool: 'spike-or' });
    const graph = await readNir(bytes);
    expect(chainOf(graph).map((n) => graph.nodes[n].type)).toEqual([
      'Input', 'Conv2d', 'LIF', 'SumPool2d', 'IF', 'Conv2d', 'IF', 'AvgPool2d', 'Flatten', 'Affine', 'LIF', 'Affine', 'Output',
    ]);
    const imported = buildModel(await importNir(bytes));
    expect(imported.layers.map((l) => `${l.kind}:${l.name}`)).toEqual(folded.layers.filter((l) => l.kind !== 'dropout').map((l) => `${l.kind}:${l.name}`));
    const x = inputImages(4);
    const a = await record(folded, x);
    const b = await record(imported, x);
    let spikes = 0;
    for (const name of Object.keys(a.spikes)) {
      expect(b.spikes[name]).toEqual(a.spikes[name]);
      expect(b.v[name]).toEqual(a.v[name]);
      spikes += a.spikes[name].reduce((s, v) => s + v, 0);
    }
    expect(spikes).toBeGreaterThan(50); // the comparison is not between silent networks
    expect(b.output).toEqual(a.output);
  });

  it('refuses max pooling unless asked, and says how', async () => {
    await expect(exportNir(makeNetwork())).rejects.toThrow(/"pool0": max pooling has no NIR node.*maxPool: 'spike-or'/);
  });
});
