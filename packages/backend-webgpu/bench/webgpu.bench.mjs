// WebGPU benchmark: (a) one neuron layer forward+backward, fused vs reference; (b) CSNN training
// throughput on webgpu and cpu; (c) the ANN floor and the SNN/ANN step ratio; (d) memory over many
// steps; and a kernel profile of one training step. Prints tables, writes JSON.
//   node scripts/bench.mjs webgpu                      (full; the same command on any GPU)
//   SPIKEFLOW_BENCH_QUICK=1 node scripts/bench.mjs webgpu   (short run)
// Options (flags or env): --quick, --layer-n=20 (log2 N), --layer-t=8,32,128, --layer-only (the
// layer table alone), --workgroup=256 (the neuron programs' preferred size), --batch=64, --steps=3, --leak-steps=500, --leak-batch=8, --cpu-steps=1, --cpu-batch=64, --no-cpu.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { formatAdapter, registerFusedNeuronKernels, setupAdapter, unregisterFusedNeuronKernels } from '@spikeflow/backend-webgpu';
import { annTrainer, randomBatch, snnTrainer } from '@spikeflow/test-support/bench/csnn.mjs';
import { printTable } from './table.mjs';
import { layerTable } from './layer-table.mjs';
import { backendThreads } from '@spikeflow/test-support/bench/threads.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  const env = process.env[`SPIKEFLOW_BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  return flag ? flag.split('=')[1] : env ?? fallback;
};
const quick = process.argv.includes('--quick') || !!process.env.SPIKEFLOW_BENCH_QUICK;
const opts = {
  quick,
  layerLog2N: Number(arg('layer-n', quick ? 16 : 20)),
  Ts: String(arg('layer-t', '8,32,128')).split(',').map(Number),
  layerOnly: process.argv.includes('--layer-only'),
  steps: Number(arg('steps', quick ? 2 : 3)),
  leakSteps: Number(arg('leak-steps', quick ? 30 : 500)),
  leakBatch: Number(arg('leak-batch', 8)),
  cpuSteps: Number(arg('cpu-steps', 1)),
  cpuBatch: Number(arg('cpu-batch', quick ? 8 : 64)),
  cpu: !process.argv.includes('--no-cpu') && !process.env.SPIKEFLOW_BENCH_NO_CPU,
  T: 4,
  batch: Number(arg('batch', 64)),
  workgroupSize: arg('workgroup', undefined) === undefined ? undefined : Number(arg('workgroup')),
};

use(neurons, surrogates, pools);
const adapter = await setupAdapter({ workgroupSize: opts.workgroupSize });
console.log(`webgpu bench on ${formatAdapter(adapter)}${quick ? ' (quick)' : ''}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const results = { adapter, options: opts, date: new Date().toISOString(), loadAverageAtStart: loadavg(), neuronLayer: [], training: [], annFloor: {}, memory: {}, profile: {} };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timeIt(fn, reps) {
  await fn(); // warm-up: shader compilation, buffer pools
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

// (a) One PLIF layer (the paper's configuration), forward + backward over all T, fused vs reference.
results.neuronLayer = await layerTable({ Ts: opts.Ts, log2N: opts.layerLog2N, reps: opts.quick ? 2 : 3, title: 'on ' + formatAdapter(adapter) });
if (opts.layerOnly) {
  writeResults();
  process.exit(0);
}

// (b), (c) Training throughput; each configuration times `steps` steps after one warm-up step.
async function trainTiming(make, batch, steps) {
  const { x, labels } = randomBatch(batch);
  const t = make();
  const run = async () => {
    const loss = t.step(x, labels);
    await loss.data();
    loss.dispose();
  };
  const ms = await timeIt(run, steps);
  t.dispose();
  tf.dispose([x, labels]);
  return { stepMs: ms, imagesPerSec: (1000 * batch) / ms, batch, threads: backendThreads() };
}
const training = [];
training.push({ backend: 'webgpu', neurons: 'fused', ...(await trainTiming(() => snnTrainer(opts.T), opts.batch, opts.steps)) });
unregisterFusedNeuronKernels();
training.push({ backend: 'webgpu', neurons: 'reference', ...(await trainTiming(() => snnTrainer(opts.T), opts.batch, opts.steps)) });
registerFusedNeuronKernels();
const ann = { backend: 'webgpu', ...(await trainTiming(() => annTrainer(opts.T), opts.batch, opts.steps)) };
if (opts.cpu) {
  await tf.setBackend('cpu');
  training.push({ backend: 'cpu', neurons: 'reference', ...(await trainTiming(() => snnTrainer(opts.T), opts.cpuBatch, opts.cpuSteps)) });
  await tf.setBackend('webgpu');
}
results.training = training;
results.annFloor = { ...ann, snnOverAnn: training[0].stepMs / ann.stepMs };
printTable(`(b) CSNN training, T=${opts.T}, MSE on rate, SGD momentum`, ['backend', 'neurons', 'threads', 'batch', 'step ms', 'images/s'],
  training.map((r) => [r.backend, r.neurons, r.threads, r.batch, r.stepMs.toFixed(0), r.imagesPerSec.toFixed(1)]));
printTable('(c) ANN floor (ReLU, T folded into the batch) vs SNN on webgpu', ['network', 'step ms', 'images/s', 'SNN / ANN'], [
  ['ANN floor', ann.stepMs.toFixed(0), ann.imagesPerSec.toFixed(1), ''],
  ['SNN (fused)', training[0].stepMs.toFixed(0), training[0].imagesPerSec.toFixed(1), `${results.annFloor.snnOverAnn.toFixed(2)}x`],
]);

// Profile of one training step (fused): tfjs kernels by GPU time; the rest of the GPU time is
// spikeflow's own programs (fused neurons, first-max pool gradient), which tfjs does not name.
{
  const { x, labels } = randomBatch(opts.batch);
  const t = snnTrainer(opts.T);
  await (async () => { const l = t.step(x, labels); await l.data(); l.dispose(); })();
  let loss;
  const total = await tf.time(() => { loss = t.step(x, labels); });
  loss.dispose();
  const prof = await tf.profile(() => t.step(x, labels));
  tf.dispose(prof.result);
  const byKernel = new Map();
  for (const k of prof.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const named = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  results.profile = { gpuMs: total.kernelMs, wallMs: total.wallMs, kernels: Object.fromEntries(rows), spikeflowProgramsMs: Math.max(0, total.kernelMs - named) };
  printTable('Profile of one fused training step (GPU ms per kernel, tfjs timestamp queries)', ['kernel', 'calls', 'ms', 'share'], [
    ...rows.slice(0, 12).map(([name, e]) => [name, e.calls, e.ms.toFixed(1), `${((100 * e.ms) / total.kernelMs).toFixed(1)}%`]),
    ['spikeflow programs (neurons, pool grad)', '', results.profile.spikeflowProgramsMs.toFixed(1), `${((100 * results.profile.spikeflowProgramsMs) / total.kernelMs).toFixed(1)}%`],
    ['total GPU / wall', '', `${total.kernelMs.toFixed(0)} / ${total.wallMs.toFixed(0)}`, ''],
  ]);
  t.dispose();
  tf.dispose([x, labels]);
}

// (d) Memory: tensors, tfjs bytes, GPU buffer pool and RSS after 10 steps and after leakSteps.
{
  const backend = tf.backend();
  const { x, labels } = randomBatch(opts.leakBatch);
  const t = snnTrainer(opts.T);
  const snap = (steps) => ({
    steps,
    numTensors: tf.memory().numTensors,
    tfBytes: tf.memory().numBytes,
    gpuBytesAllocated: backend.bufferManager?.numBytesAllocated,
    gpuBuffersUsed: backend.bufferManager?.numUsedBuffers,
    rssBytes: process.memoryUsage().rss,
  });
  const snaps = [];
  let peakRss = 0;
  for (let s = 1; s <= opts.leakSteps; s++) {
    const l = t.step(x, labels);
    await l.data();
    l.dispose();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (s === 10 || s === opts.leakSteps) snaps.push(snap(s));
  }
  t.dispose();
  tf.dispose([x, labels]);
  const [a, b] = snaps;
  results.memory = { batch: opts.leakBatch, snapshots: snaps, peakRssBytes: peakRss, tensorGrowth: b.numTensors - a.numTensors, gpuBytesGrowth: (b.gpuBytesAllocated ?? 0) - (a.gpuBytesAllocated ?? 0) };
  const mb = (v) => (v === undefined ? '-' : (v / 2 ** 20).toFixed(1));
  printTable(`(d) Memory, fused SNN training, batch ${opts.leakBatch}`, ['after steps', 'numTensors', 'tf.memory MB', 'GPU pool MB', 'GPU buffers used', 'RSS MB'],
    snaps.map((s) => [s.steps, s.numTensors, mb(s.tfBytes), mb(s.gpuBytesAllocated), s.gpuBuffersUsed ?? '-', mb(s.rssBytes)]));
  console.log(`peak RSS ${mb(peakRss)} MB; growth ${a.steps} -> ${b.steps} steps: ${results.memory.tensorGrowth} tensors, ${mb(results.memory.gpuBytesGrowth)} MB of GPU buffers`);
}

writeResults();
process.exit(0);

function writeResults() {
  const out = benchOutDir();
  writeFileSync(join(out, 'webgpu.json'), JSON.stringify(benchRecord(results), null, 2));
  console.log(`wrote ${join(out, 'webgpu.json')}`);
}
