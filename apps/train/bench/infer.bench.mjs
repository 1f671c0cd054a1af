#!/usr/bin/env node
// The packed inference engine (@spikeflow/infer-packed) against the float forward (tfjs on wasm),
// side by side on one checkpoint and the same test images, same process, same threads (--threads N:
// the float forward's wasm threads; the packed engine splits each batch over N threads):
//   images/s at batch 1 (the engines interleaved every 8 images) and batch 64 (forward only: the
//   images are in memory before the clock starts); at batch 1 also images per CPU second;
//   with --threads above 1, the packed engine on 1 thread too (batch 64);
//   with --repeat R, R more rounds of batch 1, float then packed, each with its ratio and load average;
//   the time of each layer (float: the layers run one by one, each read back; packed: its stage clocks);
//   SynOps against the dense MACs of the float network, firing rate per layer;
//   peak memory of one batch-64 inference (float: tf.profile's peak bytes, less the tensors alive before;
//   packed: every buffer it works in, allocated once), weights excluded in both;
//   whether every prediction and output spike count agree on the images benchmarked.
// Prints a table and writes JSON (bench-results/infer.json unless --out).
// Usage: npm run bench:infer -- [--checkpoint DIR] [--threads 1] [--images 1024]
//          [--single 512] [--repeat 0] [--out FILE]
// Default checkpoint: bench-results/fashion-mnist-quick/best, from
//   node apps/train/bin/spikeflow.js train --preset fashion-mnist-quick --out bench-results/fashion-mnist-quick
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setup } from '@spikeflow/backend-wasm';
import { loadCheckpoint, use } from '@spikeflow/core';
import '@spikeflow/core/node';
import { loadFashionMnist } from '@spikeflow/datasets/node';
import { formatCostTable } from '@spikeflow/infer-packed';
import { compileThreaded } from '@spikeflow/infer-packed/threads';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';

const { values: flags } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: 'bench-results/fashion-mnist-quick/best' },
    threads: { type: 'string', default: '1' },
    images: { type: 'string', default: '1024' },
    single: { type: 'string', default: '512' },
    repeat: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const fail = (message) => {
  console.error(`infer.bench: ${message}`);
  process.exit(2);
};
const int = (name) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name}: expected an integer >= 1, got "${flags[name]}"`);
  return n;
};
// A checkpoint folder holds manifest.json, or model.json in tfjs's plain format (the draw demo's model).
if (!['manifest.json', 'model.json'].some((f) => existsSync(join(resolve(flags.checkpoint), f)))) {
  fail(`--checkpoint ${flags.checkpoint}: no checkpoint there; train one (about 20 CPU minutes) with\n  node apps/train/bin/spikeflow.js train --preset fashion-mnist-quick --out bench-results/fashion-mnist-quick\nor name another with --checkpoint DIR`);
}
const threads = int('threads');
const count = Math.ceil(int('images') / 64) * 64;
const single = int('single');
const repeat = flags.repeat === '0' ? 0 : int('repeat');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const out = flags.out ?? join(root, 'bench-results', 'infer.json');

const report = await setup({ threads });
use(neurons, surrogates, pools);
const { network } = await loadCheckpoint(`file://${resolve(flags.checkpoint)}`);
const test = await loadFashionMnist({ split: 'test' });
const [H, W, C] = network.spec.input.shape;
const per = H * W * C;
if (test.height * test.width * test.channels !== per) fail(`the checkpoint takes [${H}, ${W}, ${C}] inputs, not Fashion-MNIST's`);
const n = Math.min(count, test.count);
const images = new Float32Array(n * per);
for (let k = 0; k < images.length; k++) images[k] = test.images[k] / 255;
const labels = test.labels.subarray(0, n);
const packed = await compileThreaded(network, { threads });
const T = network.timeSteps;
// Event-driven or bit-mask kernel per layer fed by spikes, measured on the first 64 images.
const kernelChoice = packed.calibrate(images.subarray(0, 64 * per), 64);

const batchOf = (start, size) => tf.tensor(images.subarray(start * per, (start + size) * per), [size, H, W, C]);

/** Float forward: predictions of `size` images from `start`, read back (as eval reads them). */
async function floatPredict(start, size) {
  const xs = batchOf(start, size);
  const scores = network.predict(xs);
  const p = tf.argMax(scores, 1);
  const data = await p.data();
  tf.dispose([xs, scores, p]);
  return data;
}

// Warm-up before each clock: tfjs kernels and XNNPACK packing; V8's optimised tier of the wasm and JavaScript code.
const WARM = 64;

async function timeFloat(size, total) {
  for (let s = 0; s < Math.max(size, WARM); s += size) await floatPredict(s, size);
  const t0 = performance.now();
  let done = 0;
  for (; done + size <= total; done += size) await floatPredict(done, size);
  return (1000 * done) / (performance.now() - t0);
}

/** `engine`: the threaded engine (predict returns a promise), or its main thread's copy alone (one thread). */
async function timePacked(size, total, engine = packed) {
  for (let s = 0; s < Math.max(size, WARM); s += size) await engine.predict(images.subarray(s * per, (s + size) * per), size);
  const t0 = performance.now();
  let done = 0;
  for (; done + size <= total; done += size) await engine.predict(images.subarray(done * per, (done + size) * per), size);
  return (1000 * done) / (performance.now() - t0);
}

/**
 * Batch 1, the engines interleaved every CHUNK images (float on them, then packed on the same), so
 * that both run under the same load: on a busy machine a few-millisecond stall lands on either
 * alike. Also the images per CPU second of each (this process's CPU time: stalls excluded).
 */
const CHUNK = 8;
async function timeBatch1(total) {
  for (let s = 0; s < WARM; s++) {
    await floatPredict(s, 1);
    await packed.predict(images.subarray(s * per, (s + 1) * per), 1);
  }
  const wall = { float: 0, packed: 0 };
  const cpu = { float: 0, packed: 0 };
  const clock = async (engine, run) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall[engine] += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu[engine] += (c.user + c.system) / 1000;
  };
  const done = Math.floor(Math.min(total, n) / CHUNK) * CHUNK;
  for (let s = 0; s < done; s += CHUNK) {
    await clock('float', async () => { for (let k = s; k < s + CHUNK; k++) await floatPredict(k, 1); });
    await clock('packed', async () => { for (let k = s; k < s + CHUNK; k++) await packed.predict(images.subarray(k * per, (k + 1) * per), 1); });
  }
  const perSecond = (ms) => (1000 * done) / ms;
  return { float: perSecond(wall.float), packed: perSecond(wall.packed), cpuFloat: perSecond(cpu.float), cpuPacked: perSecond(cpu.packed) };
}

// Throughput: batch 1 interleaved; batch 64 one engine after the other.
const ips = { float: {}, packed: {} };
const batch1 = await timeBatch1(single);
ips.float[1] = batch1.float;
ips.packed[1] = batch1.packed;
const perCpuSecond = { float: batch1.cpuFloat, packed: batch1.cpuPacked };
ips.float[64] = await timeFloat(64, n);
ips.packed[64] = await timePacked(64, n);
// The packed engine on one thread (its main thread's copy), to set the threads' gain against.
const packedOneThread = threads > 1 ? { 64: await timePacked(64, n, packed.local) } : undefined;
// More rounds of batch 1 (the ratio moves with the machine's load: each round says its load).
const rounds = [];
for (let r = 0; r < repeat; r++) {
  const b = await timeBatch1(single);
  rounds.push({ float: b.float, packed: b.packed, ratio: b.packed / b.float, cpuRatio: b.cpuPacked / b.cpuFloat, loadAverage: loadavg()[0] });
}

// Agreement on every image benchmarked: predictions and the last neuron layer's spike counts.
const lastNeuron = network.layers.filter((l) => l.neuron).at(-1).name;
packed.resetCosts();
let predictionsDiffer = 0;
let countsDiffer = 0;
let correctFloat = 0;
let correctPacked = 0;
for (let s = 0; s < n; s += 64) {
  const size = Math.min(64, n - s);
  const xs = batchOf(s, size);
  const { output, records } = network.forward(xs, { record: [lastNeuron] });
  const mean = tf.mean(output, 0);
  const predicted = tf.argMax(mean, 1);
  const p = await predicted.data();
  const spikes = records.get(lastNeuron).spikes;
  const summed = tf.sum(spikes, 0);
  const counts = await summed.data();
  tf.dispose([xs, output, mean, predicted, spikes, summed, records.get(lastNeuron).v ?? []]);
  const r = await packed.predict(images.subarray(s * per, (s + size) * per), size, { timing: true });
  for (let i = 0; i < size; i++) {
    if (p[i] !== r.predictions[i]) predictionsDiffer++;
    if (p[i] === labels[s + i]) correctFloat++;
    if (r.predictions[i] === labels[s + i]) correctPacked++;
  }
  for (let i = 0; i < counts.length; i++) if (counts[i] !== r.outputCounts[i]) countsDiffer++;
}
const costs = packed.costs();

// Float time per layer: the layers of a chain run one by one on a batch of 64, each read back.
async function floatLayerTimes(rounds = 3) {
  const ms = new Map(network.layers.map((l) => [l.name, 0]));
  for (let r = 0; r < rounds; r++) {
    let x = batchOf(0, 64);
    let steps = 1; // direct encoding: the same input at every step until the first stateful layer
    for (const layer of network.layers) {
      if (steps === 1 && !layer.stateless) {
        const tiled = tf.tile(x.reshape([1, x.size]), [T, 1]).reshape([T * 64, ...x.shape.slice(1)]);
        x.dispose();
        x = tiled;
        steps = T;
      }
      const ctx = { T: steps === 1 ? 1 : T, N: 64, training: false, repeat: steps === 1 ? T : 1, record: new Set(), records: new Map(), random: () => { throw new Error('no randomness at inference'); } };
      const t0 = performance.now();
      const y = layer.apply(x, ctx);
      await y.data();
      if (r > 0) ms.set(layer.name, ms.get(layer.name) + performance.now() - t0);
      x.dispose();
      x = y;
    }
    x.dispose();
  }
  return new Map([...ms].map(([k, v]) => [k, v / (rounds - 1) / 64]));
}
const floatMs = await floatLayerTimes();

// Peak memory of one batch-64 inference.
const weights = network.namedVariables().reduce((a, v) => a + v.variable.size * 4, 0);
// tf.profile's peakBytes is every live tensor's bytes at the peak: less what lived before (weights and all).
const before = tf.memory().numBytes;
const profile = await tf.profile(async () => {
  const xs = batchOf(0, 64);
  const scores = network.predict(xs);
  await scores.data();
  tf.dispose([xs, scores]);
});
// Packed: every thread works in its own buffers (and holds its own copy of the weights).
const memory = { floatPeakBytes: profile.peakBytes - before, packedBytes: threads * packed.local.workingBytes(64), weightsBytes: weights };

const rows = costs.layers.map((l) => ({
  layer: l.layer,
  kind: l.kind,
  packedRuns: l.mode,
  floatMs: floatMs.get(l.layer) ?? 0,
  packedMs: l.ms ?? 0,
  synOps: l.synOps,
  denseMacs: l.denseMacs,
  firingRate: l.firingRate ?? null,
  note: l.note ?? null,
}));
const result = {
  checkpoint: resolve(flags.checkpoint),
  model: network.spec.name,
  timeSteps: T,
  backend: report.device ?? report.backend,
  threads,
  cpus: cpus().length,
  loadAverage: loadavg()[0],
  images: n,
  imagesPerSecond: ips,
  speedup: { batch1: ips.packed[1] / ips.float[1], batch64: ips.packed[64] / ips.float[64] },
  batch1ImagesPerCpuSecond: perCpuSecond,
  packedOneThread: packedOneThread ?? null,
  batch1Rounds: rounds,
  agreement: { predictionsDiffer, outputCountsDiffer: countsDiffer, accuracyFloat: correctFloat / n, accuracyPacked: correctPacked / n },
  memory,
  kernelChoice,
  layers: rows,
  totals: costs.total,
};

const fmt = (x, d = 1) => x.toFixed(d);
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
console.log(`packed vs float inference: ${result.model} (T=${T}), ${n} Fashion-MNIST test images, wasm ${threads} thread(s), ${cpus().length} cores, load ${fmt(loadavg()[0], 2)}`);
console.log('');
console.log('engine   batch 1 img/s   batch 64 img/s   peak memory (batch 64)   accuracy');
console.log(`float    ${fmt(ips.float[1]).padStart(13)}   ${fmt(ips.float[64]).padStart(14)}   ${kib(memory.floatPeakBytes).padStart(22)}   ${fmt(100 * correctFloat / n, 2)}%`);
console.log(`packed   ${fmt(ips.packed[1]).padStart(13)}   ${fmt(ips.packed[64]).padStart(14)}   ${kib(memory.packedBytes).padStart(22)}   ${fmt(100 * correctPacked / n, 2)}%`);
console.log(`speedup  ${fmt(result.speedup.batch1, 2).padStart(12)}x   ${fmt(result.speedup.batch64, 2).padStart(13)}x   (weights, not counted: ${kib(weights)})`);
if (packedOneThread) console.log(`packed on 1 thread: ${fmt(packedOneThread[64])} images/s at batch 64; on ${threads}: ${fmt(ips.packed[64])} (${fmt(ips.packed[64] / packedOneThread[64], 2)}x)`);
console.log(`batch 1, images per CPU second (stalls excluded): float ${fmt(perCpuSecond.float)}, packed ${fmt(perCpuSecond.packed)}, ${fmt(perCpuSecond.packed / perCpuSecond.float, 2)}x`);
for (const [k, r] of rounds.entries()) console.log(`batch 1, round ${k + 2}: float ${fmt(r.float)}, packed ${fmt(r.packed)} images/s, ${fmt(r.ratio, 2)}x; per CPU second ${fmt(r.cpuRatio, 2)}x (load ${fmt(r.loadAverage, 2)})`);
console.log(`agreement: ${predictionsDiffer} predictions and ${countsDiffer} output spike counts differ of ${n} images`);
console.log(`kernels on spikes (ms per image, event-driven / bit-mask): ${kernelChoice.map((k) => `${k.layer} ${fmt(k.events, 3)} / ${fmt(k.bitmask, 3)} -> ${k.chosen}`).join('; ') || 'none (no WebAssembly SIMD)'}`);
console.log('');
console.log('per layer (ms per image at batch 64)');
console.log(`${'layer'.padEnd(12)}${'kind'.padEnd(11)}${'packed runs'.padEnd(13)}${'float ms'.padStart(9)}${'packed ms'.padStart(11)}${'SynOps'.padStart(12)}${'dense MACs'.padStart(12)}${'firing'.padStart(8)}`);
for (const r of rows) {
  console.log(`${r.layer.padEnd(12)}${r.kind.padEnd(11)}${r.packedRuns.padEnd(13)}${fmt(r.floatMs, 3).padStart(9)}${fmt(r.packedMs, 3).padStart(11)}${Math.round(r.synOps).toString().padStart(12)}${r.denseMacs.toString().padStart(12)}${(r.firingRate === null ? '' : `${fmt(100 * r.firingRate)}%`).padStart(8)}`);
}
console.log('');
console.log(formatCostTable(costs));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwrote ${out}`);
network.dispose();
await packed.close();
