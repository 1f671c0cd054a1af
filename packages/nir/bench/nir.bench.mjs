// NIR export and import on the fashion-mnist-small network (run by `npm run bench -- nir` after the build):
//  1. BN folding: max |v_unfolded - v_folded| per neuron layer and spikes that differ, on Fashion-MNIST
//     test images, with batch-norm statistics calibrated on Fashion-MNIST training images;
//  2. round trip: spikes of export -> import against the folded network (must all be equal);
//  3. export / import time and file size.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { build, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { loadFashionMnist } from '@spikeflow/datasets/node';
import { buildModel, exportNir, foldBatchNorm, importNir, readModel } from '@spikeflow/nir';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

await tf.setBackend('cpu');
use(neurons, surrogates, pools);
const N = 32;
const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true };
const conv = (momentum) => [{ kind: 'conv2d', filters: 32, kernelSize: 3, useBias: false }, { kind: 'batchNorm', momentum }, plif];
// momentum 1: one training-mode pass sets the running statistics to those of the calibration batch.
const spec = (momentum) => ({
  input: { shape: [28, 28, 1] },
  timeSteps: 4,
  layers: [...conv(momentum), { kind: 'pool', pool: 'max' }, ...conv(momentum), { kind: 'pool', pool: 'max' }, { kind: 'flatten' },
    { kind: 'dense', units: 256, useBias: false }, plif, { kind: 'dense', units: 100, useBias: false }, plif, { kind: 'voting', groups: 10 }],
});

const DEBIAN = '/usr/share/datasets/fashion-mnist';
async function images(split, count) {
  if (!existsSync(join(DEBIAN, 't10k-images-idx3-ubyte.gz'))) return { x: tf.randomUniform([count, 28, 28, 1], 0, 1, 'float32', 7), source: 'uniform random (Fashion-MNIST not installed)' };
  const set = await loadFashionMnist({ split, systemDir: DEBIAN });
  const px = Float32Array.from(set.images.subarray(0, count * 784), (b) => b / 255);
  return { x: tf.tensor4d(px, [count, 28, 28, 1]), source: `Fashion-MNIST ${split}` };
}

const calib = await images('train', N);
const test = await images('test', N);
const net = build(spec(1), { seed: 1 });
// Trained-looking parameters: BN statistics of real images, gamma/beta and PLIF w away from their initial values.
tf.dispose(net.forward(calib.x, { training: true }).output);
let k = 0;
for (const v of net.namedVariables()) {
  const r = () => tf.randomUniform(v.variable.shape, 0, 1, 'float32', 100 + k++);
  if (v.name.endsWith('/gamma')) v.variable.assign(tf.add(0.7, tf.mul(0.6, r())));
  if (v.name.endsWith('/beta')) v.variable.assign(tf.sub(tf.mul(0.4, r()), 0.1));
  if (v.name.endsWith('/w')) v.variable.assign(tf.scalar(-0.5 + 0.25 * k));
  // Dense layers at their initial scale barely fire on these inputs: scale them so that every layer spikes.
  if (v.name.startsWith('dense') && v.name.endsWith('/kernel')) v.variable.assign(tf.mul(v.variable, 8));
}

async function record(network) {
  const names = network.layers.filter((l) => l.neuron).map((l) => l.name);
  const { output, records } = network.forward(test.x, { record: names });
  output.dispose();
  const out = {};
  for (const [name, r] of records) out[name] = { s: await r.spikes.data(), v: await r.v.data() };
  tf.dispose([...records.values()].flatMap((r) => [r.spikes, r.v]));
  return out;
}

const model = await readModel(net);
const folded = buildModel(foldBatchNorm(model));
let t0 = performance.now();
const bytes = await exportNir(net, { maxPool: 'spike-or' });
const exportMs = performance.now() - t0;
t0 = performance.now();
const imported = buildModel(await importNir(bytes));
const importMs = performance.now() - t0;

const [a, b, c] = [await record(net), await record(folded), await record(imported)];
const rows = [];
let roundTripDiffer = 0;
for (const name of Object.keys(a)) {
  let maxDv = 0;
  let flips = 0;
  let spikes = 0;
  a[name].v.forEach((v, i) => (maxDv = Math.max(maxDv, Math.abs(v - b[name].v[i]))));
  a[name].s.forEach((s, i) => {
    flips += s !== b[name].s[i] ? 1 : 0;
    spikes += s;
    roundTripDiffer += b[name].s[i] !== c[name].s[i] ? 1 : 0;
  });
  rows.push({ layer: name, neuronSteps: a[name].s.length, spikes, maxAbsDv: maxDv, spikesDifferAfterFolding: flips });
}
console.log(`input: ${test.source}, ${N} images, T = 4; BN statistics from ${calib.source}; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('layer      neuron-steps   spikes   max |v - v_folded|   spikes differing (folded vs unfolded)');
for (const r of rows) console.log(`${r.layer.padEnd(10)} ${String(r.neuronSteps).padStart(12)} ${String(r.spikes).padStart(8)}   ${r.maxAbsDv.toExponential(2).padStart(18)}   ${r.spikesDifferAfterFolding}`);
console.log(`round trip (export -> import vs folded): ${roundTripDiffer} spikes differ`);
console.log(`export ${exportMs.toFixed(0)} ms, ${(bytes.length / 1024).toFixed(1)} KiB; import + build ${importMs.toFixed(0)} ms (1 thread: h5wasm and tfjs cpu on the main thread)`);
const out = benchOutDir();
writeFileSync(join(out, 'nir.json'), JSON.stringify(benchRecord({ source: test.source, images: N, rows, roundTripDiffer, exportMs, importMs, threads: 1, bytes: bytes.length, load: (await import('node:os')).loadavg() }), null, 2));
if (roundTripDiffer > 0) process.exit(1);
