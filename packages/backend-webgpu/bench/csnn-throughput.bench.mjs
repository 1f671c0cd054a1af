// Training throughput of the benchmark CSNN widened to C channels per convolution on webgpu:
// {Conv3x3(1->C)-BN-PLIF-MaxPool2}x2 -> Dense(49C->512) -> PLIF -> Dense(512->10) -> PLIF, T = 4,
// MSE on the firing rate, SGD momentum, random images. Goal on a GPU: >= 10,000 images/s at C = 128
// (SpikingJelly with CuPy and AMP trains about 7,400 images/s on one GPU). Prints a table, writes JSON.
// Usage: node packages/backend-webgpu/bench/csnn-throughput.bench.mjs [--channels 128] [--batches 64,256] [--steps 5] [--t 4]
//   SPIKEFLOW_BENCH_QUICK=1: C = 32, batch 16, one timed step (a software adapter takes seconds per step).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { build, Trainer, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { formatAdapter, setupAdapter } from '@spikeflow/backend-webgpu';
import { csnnSpec, LEARNING_RATE, MOMENTUM, randomBatch } from '@spikeflow/test-support/bench/csnn.mjs';
import { printTable } from './table.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

export const GOAL_IMAGES_PER_SEC = 10_000;
export const SPIKINGJELLY_CUPY_AMP_IMAGES_PER_SEC = 7_400;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const quick = process.env.SPIKEFLOW_BENCH_QUICK === '1';
const C = Number(arg('channels', quick ? 32 : 128));
const batches = String(arg('batches', quick ? '16' : '64,256')).split(',').map(Number);
const steps = Number(arg('steps', quick ? 1 : 5));
const T = Number(arg('t', 4));
const workgroupSize = process.env.SPIKEFLOW_BENCH_WORKGROUP ? Number(process.env.SPIKEFLOW_BENCH_WORKGROUP) : undefined;

use(neurons, surrogates, pools);
const adapter = await setupAdapter({ workgroupSize });
const load0 = loadavg();
const spec = (() => {
  const s = csnnSpec(T);
  return { ...s, layers: s.layers.map((l) => (l.kind === 'conv2d' ? { ...l, filters: C } : l)) };
})();

const rows = [];
for (const batch of batches) {
  const net = build(spec, { seed: 1 });
  const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: LEARNING_RATE, momentum: MOMENTUM }, loss: 'mse' });
  const { x, labels } = randomBatch(batch);
  const step = async () => {
    const { loss, rate } = trainer.trainStep(x, labels);
    await loss.data();
    tf.dispose([loss, rate]);
  };
  try {
    await step(); // compile, optimizer slots
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await step();
    const wallMs = (performance.now() - t0) / steps;
    const c = process.cpuUsage(c0);
    rows.push({ channels: C, T, batch, steps, stepMs: wallMs, cpuMsPerStep: (c.user + c.system) / 1000 / steps, imagesPerSec: (1000 * batch) / wallMs });
  } catch (e) {
    rows.push({ channels: C, T, batch, steps, error: e.message.split('\n')[0] });
  }
  net.dispose();
  trainer.optimizer.dispose();
  tf.dispose([x, labels]);
}

const best = Math.max(0, ...rows.filter((r) => !r.error).map((r) => r.imagesPerSec));
printTable(`CSNN C=${C} T=${T} training on ${formatAdapter(adapter)} (goal >= ${GOAL_IMAGES_PER_SEC} images/s; SpikingJelly CuPy+AMP ~${SPIKINGJELLY_CUPY_AMP_IMAGES_PER_SEC}); load ${load0.map((l) => l.toFixed(1)).join(' ')}`,
  ['batch', 'step ms', 'CPU ms/step', 'images/s', 'vs goal', 'vs SpikingJelly'],
  rows.map((r) => (r.error ? [r.batch, 'error', '', '', '', r.error]
    : [r.batch, r.stepMs.toFixed(1), r.cpuMsPerStep.toFixed(0), r.imagesPerSec.toFixed(1), `${(r.imagesPerSec / GOAL_IMAGES_PER_SEC).toFixed(3)}x`, `${(r.imagesPerSec / SPIKINGJELLY_CUPY_AMP_IMAGES_PER_SEC).toFixed(3)}x`])));
const out = benchOutDir();
writeFileSync(join(out, 'csnn-throughput.json'), JSON.stringify(benchRecord({ adapter, channels: C, T, rows, bestImagesPerSec: best, goal: GOAL_IMAGES_PER_SEC, anchor: SPIKINGJELLY_CUPY_AMP_IMAGES_PER_SEC, meetsGoal: best >= GOAL_IMAGES_PER_SEC, loadAverageAtStart: load0, date: new Date().toISOString() }), null, 2));
console.log(`wrote ${join(out, 'csnn-throughput.json')}`);
process.exit(0);
